/**
 * Every signal and query of the lifecycle workflows, in one place (the names are the wire
 * names that the API, the CLI and the Temporal UI use).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { HrEvent } from '../lib/hr/event';
import type { AppAccount, LifecycleKind, TimelineEntry } from '../lib/lifecycle/types';

/** An HR event for this person (sent with signalWithStart by the intake API). */
export const hrEventSignal = defineSignal<[HrEvent]>('hrEvent');

export interface LegalHold {
  caseId: string;
  reason?: string;
  placedBy?: string;
}
/** Pauses every pending deletion for this person until released. */
export const placeLegalHoldSignal = defineSignal<[LegalHold]>('placeLegalHold');
export const releaseLegalHoldSignal = defineSignal<[{ caseId: string; releasedBy?: string }]>('releaseLegalHold');

/** An operator fixed the cause of a failed app step and asks to run it again. */
export const retryAppSignal = defineSignal<[{ app: string; requestedBy?: string }]>('retryApp');

/** Forwarded by the employee workflow to a running deletion child. */
export const deletionHoldSignal = defineSignal<[{ onHold: boolean }]>('deletionHold');

export interface EmployeeStatus {
  employeeId: string;
  stage: 'idle' | LifecycleKind;
  currentEventId?: string;
  employeeStatus?: string;
  accounts: AppAccount[];
  pendingEvents: { eventId: string; type?: string; dueAtMs: number }[];
  pendingDeletion: { app: string; deleteAtMs: number; mode: string }[];
  legalHold?: LegalHold & { placedAtMs: number };
  failedApps: string[];
}

export const statusQuery = defineQuery<EmployeeStatus>('status');
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
