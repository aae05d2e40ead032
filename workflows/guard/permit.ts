/**
 * The requesting side of the mass-change guard, for lifecycle children: ask for a permit per app
 * before an irreversible step and wait for it durably (a workflow condition, never an activity).
 * The request is sent again every few minutes until granted, so a guard that lost it (restarted,
 * terminated, a signal lost at continue-as-new) still answers; a guard that is not running is
 * started (it outlives the requester). While a change waits, the employee workflow is told, so
 * the person's status shows it held and why.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import {
  guardHeldSignal,
  guardReportSignal,
  MASS_CHANGE_GUARD_WORKFLOW_ID,
  permitAnswerSignal,
  permitRequestSignal,
  permitWithdrawSignal,
  type GuardAction,
  type GuardCause,
  type GuardChange,
  type GuardHeldChange,
  type PermitAnswer,
  type PermitRequest,
  TASK_PRIORITY,
} from '../../lib/temporal/contract';
import { massChangeGuardWorkflow } from './workflow';

/** How long to wait for an answer before sending the request again. */
const RESEND_AFTER_MS = 10 * 60_000;

export interface PermitAsk {
  app: string;
  action: GuardAction;
  employeeId: string;
  eventId: string;
  cause: GuardCause;
  rosterId?: string;
}

export interface Permits {
  /** Resolves when the guard grants the change (at once under the limits; after an approval otherwise). */
  ask(req: PermitAsk): Promise<PermitAnswer>;
  /** Apps whose request the guard has answered `held` and not granted yet (not those merely unanswered). */
  heldApps(): string[];
}

const guard = () => getExternalWorkflowHandle(MASS_CHANGE_GUARD_WORKFLOW_ID);

/** Registers the answer handler; call once per workflow run, before asking. */
export function permits(): Permits {
  const answers = new Map<string, PermitAnswer>();
  const asked = new Map<string, string>(); // requestId → app
  setHandler(permitAnswerSignal, (answer) => {
    if (answers.get(answer.requestId)?.decision !== 'granted') answers.set(answer.requestId, answer);
  });

  return {
    async ask(req) {
      const { workflowId } = workflowInfo();
      const request: PermitRequest = {
        ...req,
        requestId: `${workflowId}/${req.app}/${req.action}`,
        requesterWorkflowId: workflowId,
      };
      asked.set(request.requestId, req.app);
      const answer = () => answers.get(request.requestId);
      let shownHeld: string | undefined;
      const show = async (state: 'held' | 'released', reason: string) => {
        shownHeld = state === 'held' ? reason : undefined;
        await tellParent({
          app: req.app,
          eventId: req.eventId,
          action: req.action,
          reason,
          sinceMs: Date.now(),
          state,
        });
      };
      try {
        for (;;) {
          await sendRequest(request);
          const deadline = Date.now() + RESEND_AFTER_MS;
          for (;;) {
            const left = deadline - Date.now();
            if (left <= 0) break;
            await condition(() => {
              const a = answer();
              return a?.decision === 'granted' || (a?.decision === 'held' && a.reason !== shownHeld);
            }, left);
            const a = answer();
            if (a?.decision === 'granted') {
              if (shownHeld !== undefined)
                await show('released', a.approvedBy ? `approved by ${a.approvedBy}` : 'approved');
              return a;
            }
            if (a?.decision === 'held' && a.reason !== shownHeld)
              await show('held', a.reason ?? 'held by the mass-change guard');
          }
          if (!answer() && shownHeld === undefined)
            await show('held', 'waiting for a permit from the mass-change guard: no answer yet (asking again)');
        }
      } catch (err) {
        // Cut short (a termination preempts the run): the guard need not keep a request nobody waits for.
        if (isCancellation(err))
          await CancellationScope.nonCancellable(() =>
            guard()
              .signal(permitWithdrawSignal, { requestId: request.requestId })
              .catch(() => undefined),
          );
        throw err;
      }
    },

    heldApps() {
      return [...asked].filter(([id]) => answers.get(id)?.decision === 'held').map(([, app]) => app);
    },
  };
}

/** Sends the request; when no guard runs, starts one (it outlives this run) and sends it again. */
async function sendRequest(request: PermitRequest): Promise<void> {
  try {
    await guard().signal(permitRequestSignal, request);
    return;
  } catch (err) {
    if (isCancellation(err)) throw err;
  }
  try {
    await startChild(massChangeGuardWorkflow, {
      workflowId: MASS_CHANGE_GUARD_WORKFLOW_ID,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // Leavers wait for its permits: never behind intake, whichever run happened to start it.
      priority: { priorityKey: TASK_PRIORITY.revocation },
      args: [{}],
    });
  } catch (err) {
    // Started meanwhile by a worker or another run: fine. Anything else: the next resend tries again.
    if (isCancellation(err)) throw err;
  }
  await guard()
    .signal(permitRequestSignal, request)
    .catch((err: unknown) => {
      if (isCancellation(err)) throw err;
    });
}

/** The employee workflow shows what waits in the person's status (best effort). */
async function tellParent(notice: GuardHeldChange & { state: 'held' | 'released' }): Promise<void> {
  const parent = workflowInfo().parent;
  if (!parent) return;
  await getExternalWorkflowHandle(parent.workflowId)
    .signal(guardHeldSignal, notice)
    .catch((err: unknown) => {
      if (isCancellation(err)) throw err;
    });
}

/**
 * After the fact: changes that did not wait (HR terminations) count in the guard's window. Best
 * effort: a guard that is not running must never hold up or fail a revocation.
 */
export async function reportToGuard(changes: GuardChange[]): Promise<void> {
  if (changes.length === 0) return;
  await guard()
    .signal(guardReportSignal, { changes })
    .catch((err: unknown) => {
      if (isCancellation(err)) throw err;
    });
}
