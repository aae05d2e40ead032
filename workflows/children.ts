/**
 * Starts lifecycle child workflows with readable IDs (`leaver-E123-<eventId>`), a memo ops
 * can read in the Temporal UI, and a static summary.
 */
import { executeChild, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { EmployeeRecord } from '../lib/hr/employee';
import type {
  AppAccount,
  LifecycleInput,
  LifecycleKind,
  LifecycleResult,
  ScheduledDeletion,
} from '../lib/lifecycle/types';
import { deletionWorkflow } from './deletion';
import { joinerWorkflow } from './joiner';
import { leaverWorkflow } from './leaver';
import { deletionHoldSignal, TASK_PRIORITY } from '../lib/temporal/contract';
import { moverWorkflow } from './mover';

function childOptions(
  kind: LifecycleKind,
  employee: Pick<EmployeeRecord, 'employeeId' | 'displayName' | 'givenName' | 'familyName' | 'department'>,
  eventId: string,
  suffix: string,
) {
  const name = employee.displayName ?? `${employee.givenName} ${employee.familyName}`;
  return {
    workflowId: `${kind}-${employee.employeeId}-${eventId}${suffix}`,
    memo: { displayName: name, department: employee.department ?? '' },
    staticSummary: `${kind} for ${name} (${employee.employeeId})`,
    priority: { priorityKey: childPriorityKey(kind) },
  };
}

/**
 * A termination's run is dispatched before anything else; every other run already under way
 * before new intake. Its activities inherit the key. Only the order of waiting tasks changes,
 * so running histories replay unchanged (the SDK does not compare a command's priority).
 */
export function childPriorityKey(kind: LifecycleKind): number {
  return kind === 'leaver' || kind === 'revocation' ? TASK_PRIORITY.revocation : TASK_PRIORITY.lifecycle;
}

/** Runs the lifecycle child for `kind` and returns its per-app result. */
export async function runLifecycleChild(
  kind: Exclude<LifecycleKind, 'deletion'>,
  input: LifecycleInput,
  suffix = '',
): Promise<LifecycleResult> {
  const options = childOptions(kind, input.employee, input.eventId, suffix);
  switch (kind) {
    case 'joiner':
    case 'rehire':
      return executeChild(joinerWorkflow, { ...options, args: [{ ...input, kind }] });
    case 'mover':
      return executeChild(moverWorkflow, {
        ...options,
        args: [{ ...input, previous: input.previous ?? input.employee }],
      });
    case 'leaver':
    case 'revocation':
      return executeChild(leaverWorkflow, { ...options, args: [{ ...input, kind }] });
  }
}

/** Where the employee workflow keeps the running deletion child, to forward hold signals. */
export interface DeletionChildSlot {
  handle?: ChildWorkflowHandle<typeof deletionWorkflow>;
}

export async function runDeletionChild(
  employee: EmployeeRecord,
  eventId: string,
  due: ScheduledDeletion[],
  accounts: Record<string, AppAccount>,
  slot: DeletionChildSlot,
): Promise<LifecycleResult> {
  const handle = await startChild(deletionWorkflow, {
    ...childOptions('deletion', employee, eventId, ''),
    args: [{ employeeId: employee.employeeId, employee, eventId, due, accounts }],
  });
  slot.handle = handle;
  try {
    return await handle.result();
  } finally {
    slot.handle = undefined;
  }
}

/** Signal handlers cannot await: forward the hold and swallow "child already closed". */
export function forwardHold(slot: DeletionChildSlot, onHold: boolean): void {
  if (!slot.handle) return;
  slot.handle.signal(deletionHoldSignal, { onHold }).catch(() => undefined);
}
