/**
 * `guardSettings`: what the mass-change guard workflow needs from outside — the policy's `guard:`
 * limits, the connector ids, and each app's account count from its last reconciliation scan
 * (`reconcile-<app>`'s `lastRun.scanned.users`, read with a query). An app whose count cannot be
 * learned (no schedule, no scan yet, Temporal unreachable) is left out: no percent limit applies to it.
 */
import type { Client } from '@temporalio/client';
import type { LoadedConfig } from '../lib/config/types';
import { reconciliationStatusQuery, reconciliationWorkflowId } from '../lib/temporal/contract';
import type { GuardSettings } from './contract';

export function createGuardSettingsActivity(deps: {
  config: () => LoadedConfig;
  temporal?: Client;
}): () => Promise<GuardSettings> {
  return async () => {
    const config = deps.config();
    const apps = Object.keys(config.connectors).sort();
    const accounts: Record<string, number> = {};
    await Promise.all(
      apps.map(async (app) => {
        if (!deps.temporal) return;
        try {
          const status = await deps.temporal.workflow
            .getHandle(reconciliationWorkflowId(app))
            .query(reconciliationStatusQuery);
          const users = status.lastRun?.scanned?.users;
          if (typeof users === 'number' && !status.lastRun?.error) accounts[app] = users;
        } catch {
          // Unknown: the percent limit does not apply to this app until a scan is known.
        }
      }),
    );
    return { policy: config.policy.guard, apps, accounts };
  };
}
