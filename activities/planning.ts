/**
 * `planLifecycle`: the policy facts a lifecycle run needs (grants, SLAs, delete semantics,
 * retention), computed from the loaded config so workflows never read files.
 */
import { evaluateAccess } from '../lib/access';
import type { LoadedConfig } from '../lib/config/types';
import type { EmployeeRecord } from '../lib/hr/employee';
import type { AppDeletePolicy, LifecyclePlan } from '../lib/lifecycle/types';

export function planFor(config: LoadedConfig, employee: EmployeeRecord): LifecyclePlan {
  const { policy, connectors } = config;
  const access = evaluateAccess(policy, connectors, employee);
  const grants = Object.values(access.apps)
    .sort((a, b) => a.app.localeCompare(b.app))
    .map((a) => ({ app: a.app, groups: [...a.groups].sort(), rules: a.rules }));
  const deletePolicy: Record<string, AppDeletePolicy> = {};
  for (const connector of Object.values(connectors)) {
    deletePolicy[connector.id] = {
      mode: connector.delete.mode,
      reversible: connector.delete.reversible,
      retentionMs: policy.retention.perAppMs[connector.id] ?? policy.retention.defaultMs,
    };
  }
  return {
    grants,
    slaMs: { joiner: policy.slas.joinerMs, mover: policy.slas.moverMs, leaver: policy.slas.leaverMs },
    deletePolicy,
    joinerLeadTimeMs: policy.joiner.leadTimeMs,
    moverRevokeGraceMs: policy.mover.revokeGraceMs,
    leaverRecheckMs: policy.leaver.recheckAfterMs,
    holdHrTerminations: policy.guard.holdHrTerminations,
  };
}
