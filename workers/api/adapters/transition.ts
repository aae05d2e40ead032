/**
 * Turns an HR snapshot with hire/termination dates into the canonical event. Webhook HR
 * systems (BambooHR, Entra inbound provisioning) send the record when it is edited, not when a
 * future date arrives, so a future start or end date must become a future-dated `hire` or
 * `terminate` that the employee workflow holds until it is due.
 */
import type { AdapterContext } from './types';
import { isoUtc, localMidnight } from './dates';

export interface SnapshotFacts {
  /** Whether HR marks the person active right now (BambooHR Status, SCIM `active`). */
  active: boolean;
  hireDate?: string;
  terminationDate?: string;
  /** When HR recorded the change, if the payload says. */
  changedAt?: string;
}

export interface Transition {
  type?: 'hire' | 'terminate';
  status: 'active' | 'terminated';
  effectiveAt: string;
}

/**
 * - termination date today or later (end of that local day still ahead) → `terminate` effective
 *   at the end of the termination day (the last working day keeps its access);
 * - hire date after today → `hire` effective at local midnight of the start date;
 * - otherwise a snapshot (no `type`; the workflow derives it from `status`), effective now.
 */
export function deriveTransition(facts: SnapshotFacts, ctx: AdapterContext): Transition {
  const now = ctx.receivedAt.getTime();
  const changedAt = facts.changedAt ?? isoUtc(ctx.receivedAt);
  const endOfLastDay = facts.terminationDate ? localMidnight(facts.terminationDate, ctx.timeZone, 1) : undefined;
  if (endOfLastDay && Date.parse(endOfLastDay) > now) {
    return { type: 'terminate', status: 'terminated', effectiveAt: endOfLastDay };
  }
  if (endOfLastDay || !facts.active) return { status: 'terminated', effectiveAt: changedAt };
  const start = facts.hireDate ? localMidnight(facts.hireDate, ctx.timeZone) : undefined;
  if (start && Date.parse(start) > now) return { type: 'hire', status: 'active', effectiveAt: start };
  return { status: 'active', effectiveAt: changedAt };
}

/** A stable eventId from parts an adapter knows (only characters `HrEventSchema` allows). */
export function eventIdFrom(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/[^A-Za-z0-9._:-]/g, '_'))
    .join(':')
    .slice(0, 200);
}
