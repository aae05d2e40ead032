/**
 * `reconcileApp`: one scheduled (or operator-triggered) reconciliation of one app, for the
 * reconciliation workflow. The people come from the running employee workflows (a Temporal
 * client), the comparison is lib/reconcile's; only `active-leaver` is repaired here (a security
 * incident, fixed at once) — other repairs stay with `jml reconcile --apply`. The run and its
 * findings go to the audit store before the activity completes (no attribute values: kinds,
 * ids and the detail, which names attributes only).
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { LoadedConfig } from '../lib/config/types';
import type { Logger } from '../lib/logger';
import { reconcile } from '../lib/reconcile';
import type { ScimClients } from '../lib/scim';
import type { ReconciliationRun } from '../lib/temporal/contract';
import { listEmployeeStatuses } from '../lib/temporal/employee-client';
import type { AuditPort } from './audit-port';
import { activityCallContext, keepAlive } from './context';

export interface ReconcileAppInput {
  app: string;
  /** Keys the audit record: a retried attempt or a replay writes it once. */
  workflowId: string;
  runId: string;
  round: number;
  trigger: ReconciliationRun['trigger'];
  requestedBy?: string;
  startedAtMs: number;
}

/** The run, plus the policy's current interval (the workflow cannot read config). */
export type ReconcileAppResult = ReconciliationRun & { everyMs: number };

export interface ReconcileActivityDeps {
  config: () => LoadedConfig;
  scim: ScimClients;
  temporal?: Client;
  audit?: AuditPort;
  logger: Logger;
}

export function createReconcileActivity(
  deps: ReconcileActivityDeps,
): (input: ReconcileAppInput) => Promise<ReconcileAppResult> {
  return async (input) => {
    const config = deps.config();
    if (!deps.temporal) {
      throw ApplicationFailure.create({
        type: 'RECONCILE_NO_TEMPORAL_CLIENT',
        message: 'this worker has no Temporal client to list the people; start it with its Temporal settings',
        nonRetryable: true,
      });
    }
    const stop = keepAlive();
    try {
      // Each status read has a deadline, and a cancelled attempt (a worker shutting down) stops listing.
      const people = await listEmployeeStatuses(deps.temporal, { signal: activityCallContext().signal });
      const report = await reconcile({ config, scim: deps.scim, people, apps: [input.app], apply: ['active-leaver'] });
      const app = report.apps[0]!;
      const findings: Record<string, number> = {};
      for (const f of app.findings) findings[f.kind] = (findings[f.kind] ?? 0) + 1;
      const run: ReconcileAppResult = {
        app: input.app,
        round: input.round,
        trigger: input.trigger,
        ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
        startedAtMs: input.startedAtMs,
        finishedAtMs: Date.now(),
        findings,
        activeLeavers: app.findings
          .filter((f) => f.kind === 'active-leaver')
          .map((f) => ({
            employeeId: f.employeeId,
            scimId: f.scimId,
            repaired: f.repaired === 'yes' || f.repaired === 'failed' ? f.repaired : undefined,
          })),
        scanned: app.scanned,
        ...(app.error ? { error: app.error } : {}),
        everyMs: config.policy.reconciliation.everyMs,
      };
      if (deps.audit?.recordReconciliation) {
        const { everyMs: _everyMs, ...recorded } = run;
        await deps.audit.recordReconciliation({
          key: `${input.workflowId}#${input.runId}#round-${input.round}`,
          app: input.app,
          workflowId: input.workflowId,
          occurredAtMs: run.finishedAtMs,
          // userName is left out: it is a person's attribute value.
          data: {
            ...recorded,
            details: app.findings.map((f) => ({
              kind: f.kind,
              employeeId: f.employeeId,
              scimId: f.scimId,
              detail: f.detail,
              repaired: f.repaired,
            })),
          },
        });
      }
      deps.logger.info({ app: input.app, round: input.round, findings, error: app.error }, 'reconciliation run');
      return run;
    } finally {
      stop();
    }
  };
}
