/**
 * Human summary of a valid config for `jml validate`: apps with what they can do, access
 * rules, SLAs, retention, and notices that deserve a second look (irreversible deletes).
 */
import { formatDuration } from './duration';
import type { ConnectorConfig, LoadedConfig } from './types';

function capabilityLine(c: ConnectorConfig): string {
  const parts = [c.capabilities.patch ? 'PATCH' : c.capabilities.put ? 'PUT only (no PATCH)' : 'no updates'];
  parts.push(c.capabilities.groups ? (c.groups.manage ? 'groups' : 'groups (unmanaged)') : 'no groups');
  parts.push(
    {
      hard: c.delete.reversible ? 'DELETE (reversible)' : 'DELETE (irreversible)',
      'deactivate-only': 'deactivate only',
      none: 'no DELETE',
    }[c.delete.mode],
  );
  if (c.capabilities.etag) parts.push('ETag');
  if (c.capabilities.bulk) parts.push('bulk');
  const budget = c.rateLimit.budget ? `, budget ${c.rateLimit.budget}` : '';
  parts.push(`${c.rateLimit.requestsPerSecond} req/s burst ${c.rateLimit.burst}${budget}`);
  return parts.join(', ');
}

/** Lines describing the config. */
export function summarizeConfig(config: LoadedConfig): string[] {
  const apps = Object.values(config.connectors).sort((a, b) => a.id.localeCompare(b.id));
  const width = Math.max(...apps.map((a) => a.id.length), 2);
  const { policy } = config;
  const perApp = Object.entries(policy.retention.perAppMs).map(([app, ms]) => `${app} ${formatDuration(ms)}`);
  return [
    `apps (${apps.length}):`,
    ...apps.map(
      (a) => `  ${a.id.padEnd(width)}  ${a.displayName} — ${capabilityLine(a)}; ${a.mappings.length} mappings`,
    ),
    `access rules (${policy.access.rules.length}): ${policy.access.rules.map((r) => r.name).join(', ')}`,
    `SLAs: joiner ${formatDuration(policy.slas.joinerMs)}, mover ${formatDuration(policy.slas.moverMs)}, leaver ${formatDuration(policy.slas.leaverMs)}`,
    `retention: ${formatDuration(policy.retention.defaultMs)}${perApp.length > 0 ? ` (${perApp.join(', ')})` : ''}`,
  ];
}

/** Things that are valid but irreversible or surprising, one line each. */
export function configNotices(config: LoadedConfig): string[] {
  const notices: string[] = [];
  for (const c of Object.values(config.connectors)) {
    const retention = config.policy.retention.perAppMs[c.id] ?? config.policy.retention.defaultMs;
    if (c.delete.mode === 'hard' && !c.delete.reversible) {
      notices.push(
        `${c.sourceFile} delete — "${c.id}" DELETE is irreversible: it runs only ${formatDuration(retention)} after deactivation (retention) and never under legal hold`,
      );
    }
    // The recheck deactivates an account a late create made, but the deletion finds it only
    // when it runs after the account appeared: a recheck due after the deletion leaves it.
    const recheckMs = config.policy.leaver.recheckAfterMs;
    if (c.delete.mode === 'hard' && recheckMs > 0 && recheckMs >= retention) {
      notices.push(
        `${config.policy.sourceFile} leaver.recheckAfter — the leaver's recheck (${formatDuration(recheckMs)}) is due after "${c.id}" deletes the account (retention ${formatDuration(retention)}): an account a late create made would be deactivated by the recheck but never deleted; set leaver.recheckAfter shorter than the retention`,
      );
    }
    if (c.delete.deactivateIsDestructive) {
      notices.push(
        `${c.sourceFile} delete.deactivateIsDestructive — "${c.id}" destroys the account on active=false: deactivation itself is irreversible there`,
      );
    }
  }
  return notices;
}
