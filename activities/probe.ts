/**
 * `probeApp`: the quarantined app's probe — one cheap authenticated read (`GET /Users?count=1`).
 * It answers rather than throws for whatever the app says, so the app workflow decides (and the
 * next probe comes at the policy's interval, not Temporal's retry backoff).
 */
import type { LoadedConfig } from '../lib/config/types';
import type { Logger } from '../lib/logger';
import type { ScimClients } from '../lib/scim';
import type { ProbeAppResult } from './contract';
import { activityCallContext } from './context';

export interface ProbeDeps {
  config: () => LoadedConfig;
  scim: ScimClients;
  logger?: Logger;
}

export function createProbeActivity(deps: ProbeDeps): (input: { app: string }) => Promise<ProbeAppResult> {
  return async ({ app }) => {
    const config = deps.config();
    const probeEveryMs = config.policy.quarantine.probeEveryMs;
    const connector = config.connectors[app];
    if (!connector) return { ok: false, error: `no connector "${app}" in the loaded config`, probeEveryMs };
    try {
      await deps.scim.get(connector).listUsersPage(1, 1, activityCallContext({ operation: 'probe' }));
      return { ok: true, probeEveryMs };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      deps.logger?.info({ app, error }, 'quarantined app probed: still failing');
      return { ok: false, error, probeEveryMs };
    }
  };
}
