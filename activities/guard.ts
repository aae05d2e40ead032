/**
 * `guardSettings`: what the mass-change guard workflow needs from outside — the policy's `guard:`
 * limits, the connector ids, and each app's account count from its last reconciliation scan
 * (`reconcile-<app>`'s `lastRun.scanned.users`, read with a query).
 *
 * Each query has a deadline: a query is answered in a workflow task, and when no worker polls the
 * reconcile workflow's task queue (none runs, or the only one is shutting down) it is never
 * answered — without a deadline this activity, and the worker's shutdown behind it, would wait.
 * A count not read in time keeps its last known value (the scan has not changed because we could
 * not ask); without one the app's count is unknown and its percent limit does not apply, only
 * `maxCount` does. Either way the app's `accountsNote` in the guard's status says so. Nothing here
 * can hold a revocation: HR terminations never wait for the guard, and this activity always answers.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LoadedConfig } from '../lib/config/types';
import type { Logger } from '../lib/logger';
import { reconciliationStatusQuery, reconciliationWorkflowId } from '../lib/temporal/contract';
import { TemporalDeadlineError, withinDeadline } from '../lib/temporal/deadline';
import type { GuardSettings, GuardSettingsInput } from './contract';

/** How long each app's count may take to read. */
export const GUARD_COUNT_READ_TIMEOUT_MS = 5_000;

export function createGuardSettingsActivity(deps: {
  config: () => LoadedConfig;
  temporal?: Client;
  logger?: Logger;
  /** @default GUARD_COUNT_READ_TIMEOUT_MS */
  readTimeoutMs?: number;
}): (input?: GuardSettingsInput) => Promise<GuardSettings> {
  const timeoutMs = deps.readTimeoutMs ?? GUARD_COUNT_READ_TIMEOUT_MS;
  return async (input = {}) => {
    const config = deps.config();
    const apps = Object.keys(config.connectors).sort();
    const accounts: Record<string, number> = {};
    const accountNotes: Record<string, string> = {};
    /** Apps we could not ask (as opposed to no scan yet): worth a warning. */
    const unreadable: string[] = [];
    const client = deps.temporal;
    if (client) {
      await Promise.all(
        apps.map(async (app) => {
          const read = await readCount(client, app, timeoutMs);
          if (read.users !== undefined) {
            accounts[app] = read.users;
            return;
          }
          if (read.unreachable) unreadable.push(app);
          const known = input.known?.[app];
          // Only a count we could not ask for is carried over; a scan that failed or is missing is an answer.
          if (read.unreachable && known !== undefined) {
            accounts[app] = known;
            accountNotes[app] = `account count not read (${read.why}); the last known count (${known}) applies`;
          } else {
            accountNotes[app] = `account count unknown (${read.why}); no percent limit applies, only maxCount`;
          }
        }),
      );
    } else {
      for (const app of apps) accountNotes[app] = 'account count unknown (no Temporal client); only maxCount applies';
    }
    if (unreadable.length > 0)
      deps.logger?.warn(
        { apps: unreadable.sort(), notes: accountNotes },
        'mass-change guard: account counts not read (their last known count, or only maxCount, applies)',
      );
    return {
      policy: config.policy.guard,
      apps,
      accounts,
      ...(Object.keys(accountNotes).length > 0 ? { accountNotes } : {}),
    };
  };
}

/** The app's scanned user count, or why there is none (`unreachable`: we could not ask, as opposed to no scan). */
async function readCount(
  client: Client,
  app: string,
  timeoutMs: number,
): Promise<{ users?: number; why?: string; unreachable?: boolean }> {
  const workflowId = reconciliationWorkflowId(app);
  try {
    const status = await withinDeadline(
      client,
      timeoutMs,
      (c) => c.workflow.getHandle(workflowId).query(reconciliationStatusQuery),
      `query of ${workflowId}`,
    );
    const users = status.lastRun?.scanned?.users;
    if (status.lastRun?.error) return { why: `its last scan failed: ${status.lastRun.error.slice(0, 200)}` };
    if (typeof users === 'number') return { users };
    return { why: 'no scan yet' };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { why: `no reconciliation schedule (${workflowId})` };
    if (err instanceof TemporalDeadlineError)
      return { why: `${workflowId} did not answer within ${timeoutMs / 1000} s`, unreachable: true };
    const message = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : String(err);
    return { why: `${workflowId} not readable: ${message}`, unreachable: true };
  }
}
