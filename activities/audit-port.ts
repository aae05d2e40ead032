/**
 * What the activities need from the audit store: the account registry (so a leaver needs one
 * request per app even when workflow state lacks the SCIM id) and append-only milestones.
 * `createAuditPort` (audit.ts) adapts lib/audit's store to it; the worker may run without one.
 */
import type { AccountState } from '../lib/lifecycle/types';
import type { MilestoneInput } from './contract';
import type { CallContext } from './context';

export interface AccountRecordInput {
  employeeId: string;
  app: string;
  scimId?: string;
  state: AccountState;
  atMs: number;
  call: CallContext;
}

export interface AuditPort {
  findAccount(employeeId: string, app: string): Promise<string | undefined>;
  recordAccount(input: AccountRecordInput): Promise<void>;
  recordMilestones(input: MilestoneInput): Promise<void>;
  /** Waits until the audit records of this activity attempt's SCIM requests are written. */
  settle?(call: CallContext): Promise<void>;
}
