/**
 * What the activities need from the audit store: the account registry (so a leaver needs one
 * request per app even when workflow state lacks the SCIM id) and append-only milestones.
 * `createAuditPort` (audit.ts) adapts lib/audit's store to it; the worker may run without one.
 */
import type { AccountState } from '../lib/lifecycle/types';
import type { RequestRecorder } from '../lib/scim';
import type { MilestoneInput } from './contract';
import type { CallContext } from './context';

export interface AccountRecordInput {
  employeeId: string;
  app: string;
  scimId?: string;
  state: AccountState;
  atMs: number;
  call: CallContext;
  /** A revocation's write: the store writes it at once, never holding it to gather a batch. */
  urgent?: boolean;
}

/** One reconciliation run of an app (its own chain, named by the workflow id). */
export interface ReconciliationRecordInput {
  key: string;
  app: string;
  workflowId: string;
  occurredAtMs: number;
  data: Record<string, unknown>;
}

export interface AuditPort {
  findAccount(employeeId: string, app: string): Promise<string | undefined>;
  recordAccount(input: AccountRecordInput): Promise<void>;
  recordMilestones(input: MilestoneInput): Promise<void>;
  /** A scheduled reconciliation run and its findings; a repeated key is a no-op. */
  recordReconciliation?(input: ReconciliationRecordInput): Promise<void>;
  /**
   * A recorder for one activity attempt's SCIM requests (keyed by `context`'s run, activity and
   * attempt). `urgent`: a revocation's, written at once (the attempt's completion waits on them).
   */
  requestRecorder?(context: CallContext['context'], options?: { urgent?: boolean }): AttemptRecorder;
}

export interface AttemptRecorder {
  record: RequestRecorder;
  /** Waits until every record handed to `record` is written; rejects when one failed. */
  settle(): Promise<void>;
}
