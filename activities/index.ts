/**
 * `createActivities({ scim, audit, config, logger })`: the worker composes the dependencies,
 * tests pass their own (a real SCIM client against reference servers, an in-memory audit store).
 */
import type { LoadedConfig } from '../lib/config/types';
import type { Logger } from '../lib/logger';
import { observeMilestones, observeSlaBreach, type SlaByKind } from '../lib/metrics';
import type { ScimClients } from '../lib/scim';
import type { Client } from '@temporalio/client';
import { createAccountActivities } from './accounts';
import { AppGate } from './app-gate';
import { createProbeActivity } from './probe';
import { createAlertActivity } from './alerts';
import type { AuditPort } from './audit-port';
import type { AlertInput, LifecycleActivities } from './contract';
import { planFor } from './planning';
import { createGuardSettingsActivity } from './guard';
import { createReconcileActivity } from './reconcile';
import { createRosterActivities } from './roster';

export interface ActivityDeps {
  /** The loaded config; a function so a reloading worker can swap it between activities. */
  config: () => LoadedConfig;
  scim: ScimClients;
  /** Without one, milestones live only in workflow history (dev without a store). */
  audit?: AuditPort;
  logger: Logger;
  /**
   * Reconciliation lists the people from the running employee workflows (without it,
   * `reconcileApp` fails); the app gate reads and reports the apps' health through it.
   */
  temporal?: Client;
  /** Tests pass their own (e.g. a short cache); one per worker process otherwise. */
  gate?: AppGate;
}

export function createActivities(deps: ActivityDeps): LifecycleActivities {
  const log = deps.logger.child({ module: 'activities' });
  const breaches = new RecentKeys(10_000);
  const alert = createAlertActivity({ config: deps.config, logger: log, audit: deps.audit });
  const gate = deps.gate ?? new AppGate({ config: deps.config, temporal: deps.temporal, logger: log });
  return {
    planLifecycle: async ({ employee }) => planFor(deps.config(), employee),
    ...createAccountActivities({ ...deps, gate }),
    probeApp: createProbeActivity({ config: deps.config, scim: deps.scim, logger: log }),
    sendAlert: async (input: AlertInput) => {
      // Counted when the breach happens (not when the slow run ends), once per run: retries of the delivery
      // (this activity's, or the employee workflow re-sending an undelivered alert) are not breaches.
      if (input.kind === 'sla-breached' && input.lifecycle && breaches.first(input.workflowId))
        observeSlaBreach(input.lifecycle);
      return alert(input);
    },
    reconcileApp: createReconcileActivity({ ...deps, logger: log }),
    ...createRosterActivities({ temporal: deps.temporal, logger: log }),
    guardSettings: createGuardSettingsActivity({ ...deps, logger: log }),
    recordMilestones: async (input) => {
      if (deps.audit) await deps.audit.recordMilestones(input);
      // After the write: a failed attempt is retried with the same batch and must not count twice.
      observeMilestones(
        input.entries.map((e) => e.entry),
        slaByKind(deps.config()),
      );
    },
  };
}

/** Remembers the last `size` keys (oldest forgotten first): "have I seen this run's breach?" */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly size: number) {}
  first(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.size) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
}

/** The SLA each lifecycle's deadline was computed with (re-hires run the joiner, revocations the leaver). */
function slaByKind(config: LoadedConfig): SlaByKind {
  const { joinerMs, moverMs, leaverMs } = config.policy.slas;
  return { joiner: joinerMs, rehire: joinerMs, mover: moverMs, leaver: leaverMs, revocation: leaverMs };
}

export type { LifecycleActivities } from './contract';
export type { AuditPort } from './audit-port';
export { AppGate, APP_PAUSED, APP_QUARANTINED } from './app-gate';
