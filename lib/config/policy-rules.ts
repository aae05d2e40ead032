/**
 * Cross-field and cross-file rules for the policy: grants must name existing connectors and
 * use groups only where the connector manages them; retention keys must be connector ids;
 * conditions must reference HR fields (and valid values for enumerated ones).
 */
import { alertWebhookUrlProblem } from './webhook-url';
import { EMPLOYEE_STATUSES, EMPLOYMENT_TYPES } from '../hr/employee';
import { templatePlaceholders } from '../mapping/template';
import type { Report } from './connector-rules';
import { DURATION_HINT, tryParseDuration } from './duration';
import { checkHrField } from './hr-fields';
import type { PolicyFile } from './policy-schema';
import { isSecretRef } from './secrets';
import { didYouMean } from './suggest';
import type { ConnectorConfig } from './types';

const ENUM_FIELDS: Record<string, readonly string[]> = { employmentType: EMPLOYMENT_TYPES, status: EMPLOYEE_STATUSES };

/**
 * Runs every rule. `connectors` are the valid connectors by id; `declared` also holds the ids
 * of connector files that failed validation, so a grant to them is not reported a second time.
 */
export function checkPolicy(
  file: PolicyFile,
  connectors: Record<string, ConnectorConfig>,
  declared: ReadonlySet<string>,
  report: Report,
): void {
  checkDurations(file, report);
  checkQuarantine(file, report);
  checkGuardWindows(file, report);
  const ids = Object.keys(connectors);
  for (const app of Object.keys(file.retention?.perApp ?? {})) {
    if (!declared.has(app))
      report(['retention', 'perApp', app], `"${app}" is not a connector id${didYouMean(app, ids)}`, 'key');
  }
  for (const app of Object.keys(file.guard?.apps ?? {})) {
    if (!declared.has(app))
      report(['guard', 'apps', app], `"${app}" is not a connector id${didYouMean(app, ids)}`, 'key');
  }
  const url = file.notifications?.webhookUrl;
  const urlProblem = url !== undefined && !isSecretRef(url) ? alertWebhookUrlProblem(url) : undefined;
  if (urlProblem) {
    report(
      ['notifications', 'webhookUrl'],
      `${urlProblem}; a secret reference (env:NAME / file:/path) is checked when it is read`,
    );
  }
  const names = new Set<string>();
  file.access.rules.forEach((rule, i) => {
    if (names.has(rule.name))
      report(
        ['access', 'rules', i, 'name'],
        `duplicate rule name "${rule.name}"; names identify rules in audit records`,
      );
    names.add(rule.name);
    checkCondition(rule.when ?? {}, ['access', 'rules', i, 'when'], report);
    checkCondition(rule.unless ?? {}, ['access', 'rules', i, 'unless'], report);
    rule.grant.forEach((grant, j) =>
      checkGrant(grant, connectors, declared, ['access', 'rules', i, 'grant', j], report),
    );
  });
}

function checkDurations(file: PolicyFile, report: Report): void {
  const entries: [(string | number)[], unknown][] = [
    [['slas', 'joiner'], file.slas?.joiner],
    [['slas', 'mover'], file.slas?.mover],
    [['slas', 'leaver'], file.slas?.leaver],
    [['retention', 'default'], file.retention?.default],
    [['joiner', 'leadTime'], file.joiner?.leadTime],
    [['mover', 'revokeGrace'], file.mover?.revokeGrace],
    [['leaver', 'recheckAfter'], file.leaver?.recheckAfter],
    [['reconciliation', 'every'], file.reconciliation?.every],
    [['quarantine', 'window'], file.quarantine?.window],
    [['quarantine', 'probeEvery'], file.quarantine?.probeEvery],
    [['guard', 'window'], file.guard?.window],
    ...Object.entries(file.guard?.apps ?? {}).map(([k, v]): [(string | number)[], unknown] => [
      ['guard', 'apps', k, 'window'],
      v.window,
    ]),
    ...Object.entries(file.retention?.perApp ?? {}).map(([k, v]): [(string | number)[], unknown] => [
      ['retention', 'perApp', k],
      v,
    ]),
  ];
  for (const [path, value] of entries) {
    if (typeof value === 'string' && tryParseDuration(value) === undefined)
      report(path, `"${value}" is not a duration; ${DURATION_HINT}`);
  }
  // Each round reads every account of the app: more often than a minute only hammers its rate limit.
  const every = file.reconciliation?.every;
  const everyMs = typeof every === 'number' ? every : typeof every === 'string' ? tryParseDuration(every) : undefined;
  if (everyMs !== undefined && everyMs < 60_000) {
    report(
      ['reconciliation', 'every'],
      `"${String(every)}" is too short: reconciliation reads every account of an app each round; use 1m or more (e.g. 24h)`,
    );
  }
}

/** A window or probe interval of seconds would quarantine on noise, or hammer an app that is down. */
function checkQuarantine(file: PolicyFile, report: Report): void {
  const asMs = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? tryParseDuration(v) : undefined);
  const window = asMs(file.quarantine?.window);
  if (window !== undefined && window < 10_000)
    report(
      ['quarantine', 'window'],
      `"${String(file.quarantine?.window)}" is too short: outcomes are counted over this window; use 10s or more (e.g. 5m)`,
    );
  const probe = asMs(file.quarantine?.probeEvery);
  if (probe !== undefined && probe < 10_000)
    report(
      ['quarantine', 'probeEvery'],
      `"${String(file.quarantine?.probeEvery)}" is too short: a quarantined app is probed this often; use 10s or more (e.g. 5m)`,
    );
}

/** A window shorter than a minute would let a burst through a few changes at a time. */
function checkGuardWindows(file: PolicyFile, report: Report): void {
  const windows: [(string | number)[], string | number | undefined][] = [
    [['guard', 'window'], file.guard?.window],
    ...Object.entries(file.guard?.apps ?? {}).map(([k, v]): [(string | number)[], string | number | undefined] => [
      ['guard', 'apps', k, 'window'],
      v.window,
    ]),
  ];
  for (const [path, value] of windows) {
    const valueMs = typeof value === 'number' ? value : typeof value === 'string' ? tryParseDuration(value) : undefined;
    if (valueMs !== undefined && valueMs < 60_000)
      report(
        path,
        `"${String(value)}" is too short: a burst would pass a few changes at a time; use 1m or more (e.g. 1h)`,
      );
  }
}

function checkCondition(condition: Record<string, unknown>, path: (string | number)[], report: Report): void {
  for (const [field, raw] of Object.entries(condition)) {
    const problem = checkHrField(field);
    if (problem) {
      report([...path, field], problem, 'key');
      continue;
    }
    const allowed = ENUM_FIELDS[field];
    if (!allowed) continue;
    for (const value of (Array.isArray(raw) ? raw : [raw]).map(String)) {
      if (!allowed.some((a) => a.toLowerCase() === value.toLowerCase())) {
        report(
          [...path, field],
          `"${value}" is never a value of ${field}${didYouMean(value, allowed)} (one of: ${allowed.join(', ')})`,
        );
      }
    }
  }
}

type Grant = PolicyFile['access']['rules'][number]['grant'][number];

function checkGrant(
  grant: Grant,
  connectors: Record<string, ConnectorConfig>,
  declared: ReadonlySet<string>,
  path: (string | number)[],
  report: Report,
): void {
  const connector = connectors[grant.app];
  if (!connector) {
    if (declared.has(grant.app)) return;
    const hint =
      didYouMean(grant.app, declared) ||
      `; apps are the connector ids in connectors/ (${[...declared].join(', ') || 'none'})`;
    report([...path, 'app'], `unknown app "${grant.app}"${hint}`);
    return;
  }
  const groups = grant.groups ?? [];
  if (groups.length > 0 && !connector.groups.manage) {
    const why = connector.capabilities.groups ? 'groups.manage is false' : 'capabilities.groups is false';
    report(
      [...path, 'groups'],
      `connector "${grant.app}" does not manage groups (${why}); remove groups or enable them in ${grant.app}.yaml`,
    );
  }
  groups.forEach((group, k) => {
    for (const name of templatePlaceholders(group)) {
      const problem = checkHrField(name);
      if (problem) report([...path, 'groups', k], `placeholder {{${name}}}: ${problem}`);
    }
  });
}
