/**
 * `createActivities({ scim, audit, config, logger })`: the worker composes the dependencies,
 * tests pass their own (a real SCIM client against reference servers, an in-memory audit store).
 */
import type { LoadedConfig } from '../lib/config/types';
import type { Logger } from '../lib/logger';
import type { ScimClients } from '../lib/scim';
import { createAccountActivities } from './accounts';
import { createAlertActivity } from './alerts';
import type { AuditPort } from './audit-port';
import type { LifecycleActivities } from './contract';
import { planFor } from './planning';

export interface ActivityDeps {
  /** The loaded config; a function so a reloading worker can swap it between activities. */
  config: () => LoadedConfig;
  scim: ScimClients;
  /** Without one, milestones live only in workflow history (dev without a store). */
  audit?: AuditPort;
  logger: Logger;
}

export function createActivities(deps: ActivityDeps): LifecycleActivities {
  const log = deps.logger.child({ component: 'activities' });
  return {
    planLifecycle: async ({ employee }) => planFor(deps.config(), employee),
    ...createAccountActivities(deps),
    sendAlert: createAlertActivity({ config: deps.config, logger: log, audit: deps.audit }),
    recordMilestones: async (input) => {
      if (deps.audit) await deps.audit.recordMilestones(input);
    },
  };
}

export type { LifecycleActivities } from './contract';
export type { AuditPort } from './audit-port';
