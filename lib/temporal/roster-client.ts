/**
 * The client side of `roster-<rosterId>` (the intake API's `POST /v1/hr/roster`): start it and
 * hand over the employees in batches, idempotently — a re-delivered roster fills in batches a
 * cut-short delivery missed and changes nothing else; the same rosterId with other content is
 * a conflict. And read its status.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { EmployeeRecord } from '../hr/employee';
import {
  TASK_PRIORITY,
  ROSTER_WORKFLOW_TYPE,
  rosterBatchSignal,
  rosterStatusQuery,
  rosterWorkflowId,
  type RosterBatch,
  type RosterStatus,
  type RosterWorkflowStart,
} from './contract';

/** People per signal: a few hundred kilobytes, far below any payload limit. */
export const ROSTER_BATCH_SIZE = 500;

export class RosterConflictError extends Error {
  constructor(readonly rosterId: string) {
    super(`rosterId "${rosterId}" was already accepted with different content; use a new rosterId for a new roster`);
    this.name = 'RosterConflictError';
  }
}

export interface RosterSubmission extends Omit<RosterWorkflowStart, 'employees' | 'batches'> {
  employees: EmployeeRecord[];
}

export async function submitRoster(
  client: Client,
  taskQueue: string,
  roster: RosterSubmission,
  batchSize = ROSTER_BATCH_SIZE,
): Promise<{ workflowId: string; batches: number; repeated: boolean }> {
  const workflowId = rosterWorkflowId(roster.rosterId);
  const chunks: EmployeeRecord[][] = [];
  for (let i = 0; i < roster.employees.length; i += batchSize) chunks.push(roster.employees.slice(i, i + batchSize));
  const batch = (index: number): RosterBatch => ({
    contentHash: roster.contentHash,
    index,
    employees: chunks[index]!,
  });
  const handle = client.workflow.getHandle(workflowId);
  let repeated = false;
  try {
    const described = await handle.describe();
    if (described.memo?.contentHash !== roster.contentHash) throw new RosterConflictError(roster.rosterId);
    repeated = true;
    const running = described.status.name === 'RUNNING';
    // Already processed: nothing to send; its status says what became of it. One given up as
    // incomplete (batches that never arrived) runs again with this delivery.
    if (!running && (await rosterStatus(client, roster.rosterId))?.state !== 'incomplete')
      return { workflowId, batches: chunks.length, repeated };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const start: RosterWorkflowStart = {
    rosterId: roster.rosterId,
    full: roster.full,
    asOf: roster.asOf,
    ...(roster.source ? { source: roster.source } : {}),
    employees: roster.employees.length,
    batches: chunks.length,
    contentHash: roster.contentHash,
  };
  // The first batch starts the workflow (or reaches the running one); the rest follow. Repeats are ignored by it.
  await client.workflow.signalWithStart<(input: RosterWorkflowStart) => Promise<RosterStatus>, [RosterBatch]>(
    ROSTER_WORKFLOW_TYPE,
    {
      workflowId,
      taskQueue,
      args: [start],
      signal: rosterBatchSignal,
      signalArgs: [batch(0)],
      priority: { priorityKey: TASK_PRIORITY.intake },
      memo: { contentHash: roster.contentHash },
      staticSummary: `Roster ${roster.rosterId} (${roster.full ? 'full' : 'partial'}, ${roster.employees.length} people)`,
    },
  );
  for (let index = 1; index < chunks.length; index++) await handle.signal(rosterBatchSignal, batch(index));
  return { workflowId, batches: chunks.length, repeated };
}

/** The roster's status (also once it is done), or undefined when no roster has that id. */
export async function rosterStatus(client: Client, rosterId: string): Promise<RosterStatus | undefined> {
  const handle = client.workflow.getHandle(rosterWorkflowId(rosterId));
  try {
    return await handle.query(rosterStatusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
