/**
 * How reconciliation repairs a `missing` account: it asks the person's `employee-<id>` workflow
 * (the `ensureAccount` Update) and reports its answer. The workflow keeps the registry of the
 * person's accounts, so an account created behind its back would never be revoked by a leaver.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { OperatorActionRejectedError, runOperatorAction } from '../temporal/employee-client';
import type { EnsureAnswer } from './reconcile';

export function ensureThroughLifecycle(
  client: Client,
  requestedBy: string,
): (app: string, employeeId: string) => Promise<EnsureAnswer> {
  return async (app, employeeId) => {
    try {
      const answer = await runOperatorAction(client, employeeId, {
        kind: 'ensure-account',
        app,
        requestedBy,
        reason: 'reconciliation found the account missing',
      });
      return { requested: true, requestId: answer.kind === 'ensure-account' ? answer.result.requestId : '' };
    } catch (err) {
      if (err instanceof OperatorActionRejectedError) return { requested: false, reason: err.reason };
      if (err instanceof WorkflowNotFoundError)
        return { requested: false, reason: `no running lifecycle workflow employee-${employeeId}` };
      throw err;
    }
  };
}
