/**
 * Cross-field rules for one connector, run after the schema pass succeeded. Each rule reports
 * at the YAML path the reader has to change.
 */
import { resolveTarget, type ResolvedTarget } from '../mapping/target';
import { templatePlaceholders } from '../mapping/template';
import type { ConnectorFile } from './connector-schema';
import { checkHrField } from './hr-fields';
import { tryParseDuration, DURATION_HINT } from './duration';
import { hasHoles } from './salvage';
import type { ConnectorConfig } from './types';

/** Reports an issue at a YAML path; `at: 'key'` points at the key instead of its value. */
export type Report = (path: (string | number)[], message: string, at?: 'key' | 'value') => void;

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Runs every rule. `fileId` is the file name without extension. */
export function checkConnector(file: ConnectorFile, resolved: ConnectorConfig, fileId: string, report: Report): void {
  if (!SLUG.test(file.id)) report(['id'], `"${file.id}" is not a lower-case slug (a-z, 0-9, "-")`);
  else if (file.id !== fileId)
    report(['id'], `id "${file.id}" must equal the file name "${fileId}" (rename the file or the id)`);
  checkUrl(file.scim.baseUrl, resolved.scim.allowInsecureHttp, ['scim', 'baseUrl'], report);
  if (file.auth.type === 'oauth2-client-credentials') {
    checkUrl(file.auth.tokenUrl, resolved.scim.allowInsecureHttp, ['auth', 'tokenUrl'], report);
  }
  for (const key of ['connect', 'request', 'idle'] as const) {
    const value = file.timeouts?.[key];
    if (typeof value === 'string' && tryParseDuration(value) === undefined) {
      report(['timeouts', key], `"${value}" is not a duration; ${DURATION_HINT}`);
    }
  }
  checkCapabilities(file, resolved, report);
  checkMappings(resolved, report);
}

function checkUrl(text: string, allowInsecure: boolean, path: string[], report: Report): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    report(path, `"${text}" is not an absolute URL (e.g. https://api.example.com/scim/v2)`);
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') {
    report(path, `unsupported scheme "${url.protocol}"; use https:`);
  } else if (!LOOPBACK.has(url.hostname) && !allowInsecure) {
    report(
      path,
      `plain http to "${url.hostname}" would send credentials unencrypted; use https: (or set scim.allowInsecureHttp: true for a trusted network)`,
    );
  }
  if (url.search || url.hash) report(path, 'the base URL must not have a query or fragment');
}

function checkCapabilities(file: ConnectorFile, c: ConnectorConfig, report: Report): void {
  if (!c.capabilities.patch && !c.capabilities.put) {
    report(['capabilities'], 'patch and put are both false, so accounts could never be updated; enable at least one');
  }
  if (!c.capabilities.filterOperators.includes('eq')) {
    report(
      ['capabilities', 'filterOperators'],
      'must include "eq": existing accounts are looked up with externalId eq "…" (RFC 7644 §3.4.2.2)',
    );
  }
  if (file.groups?.manage === true && !c.capabilities.groups) {
    report(['groups', 'manage'], 'groups.manage needs capabilities.groups: true (the app must support /Groups)');
  }
  if (file.groups?.create === true && !c.groups.manage) {
    report(['groups', 'create'], 'groups.create needs groups.manage: true');
  }
  if (file.groups?.nameTemplate !== undefined && !templatePlaceholders(c.groups.nameTemplate).includes('group')) {
    report(['groups', 'nameTemplate'], 'must contain {{group}} (the group name from the access rule)');
  }
  if (file.delete?.reversible === true && c.delete.mode !== 'hard') {
    report(['delete', 'reversible'], `reversible applies only to delete.mode: hard (mode is "${c.delete.mode}")`);
  }
}

function checkMappings(c: ConnectorConfig, report: Report): void {
  const targets: (ResolvedTarget | undefined)[] = c.mappings.map((m, i) => {
    const result = resolveTarget(m.target, c.scim.userSchemaExtensions);
    if (!result.ok) report(['mappings', i, 'target'], result.message);
    return result.ok ? result.target : undefined;
  });
  c.mappings.forEach((m, i) => checkMappingSource(m, targets[i], i, report));
  // With broken mappings set aside (salvage), "userName is not mapped" may just mean it is broken.
  if (hasHoles(c.mappings)) return checkDuplicateTargets(c, targets, report);
  for (const attr of ['userName', 'externalId']) {
    const mapped = targets.some((t, i) => t?.text === attr && c.mappings[i].applyOn.includes('create'));
    if (!mapped) report(['mappings'], `"${attr}" must be mapped for create (add a mapping with target: ${attr})`);
  }
  checkDuplicateTargets(c, targets, report);
}

function checkMappingSource(
  m: ConnectorConfig['mappings'][number],
  target: ResolvedTarget | undefined,
  i: number,
  report: Report,
): void {
  const at = (key: string) => ['mappings', i, key];
  const kinds = (['source', 'template', 'value'] as const).filter((k) => m[k] !== undefined);
  if (kinds.length !== 1) {
    report(
      ['mappings', i],
      kinds.length === 0 ? 'needs one of source, template or value' : `has ${kinds.join(' and ')}; keep exactly one`,
    );
  }
  if (m.source !== undefined) {
    const problem = checkHrField(m.source);
    if (problem) report(at('source'), problem);
  }
  if (m.template !== undefined) {
    const names = templatePlaceholders(m.template);
    if (names.length === 0) report(at('template'), 'has no {{field}} placeholder; use value: for a constant');
    for (const name of names) {
      const problem = checkHrField(name);
      if (problem) report(at('template'), `placeholder {{${name}}}: ${problem}`);
    }
  }
  if (m.map !== undefined && m.source === undefined) report(at('map'), 'map needs source: (it translates HR values)');
  if (m.required && m.value !== undefined) report(at('required'), 'a constant is always present; remove required');
  if (m.value !== undefined && m.transform.length > 0 && typeof m.value !== 'string')
    report(at('transform'), 'transforms apply to strings only');
  if (target?.leaf) checkValueTypes(m, target, i, report);
}

/** Constants must fit the target's SCIM type (RFC 7643 §2.3). */
function checkValueTypes(
  m: ConnectorConfig['mappings'][number],
  target: ResolvedTarget,
  i: number,
  report: Report,
): void {
  const type = target.leaf?.type;
  const fits = (v: unknown): boolean => {
    if (type === 'boolean') return typeof v === 'boolean' || /^(true|false)$/i.test(String(v));
    if (type === 'integer' || type === 'decimal') return Number.isFinite(Number(v));
    return typeof v === 'string';
  };
  const check = (path: (string | number)[], v: unknown) => {
    if (!fits(v)) report(path, `${JSON.stringify(v)} does not fit ${target.text} (a ${type})`);
  };
  if (m.value !== undefined) check(['mappings', i, 'value'], m.value);
  if (m.default !== undefined) check(['mappings', i, 'default'], m.default);
  for (const [key, v] of Object.entries(m.map ?? {})) check(['mappings', i, 'map', key], v);
}

function checkDuplicateTargets(c: ConnectorConfig, targets: (ResolvedTarget | undefined)[], report: Report): void {
  targets.forEach((t, i) => {
    if (!t) return;
    const j = targets.findIndex((u, k) => k < i && u?.text.toLowerCase() === t.text.toLowerCase() && overlaps(c, i, k));
    if (j !== -1)
      report(
        ['mappings', i, 'target'],
        `${t.text} is already written by mappings[${j}] on the same lifecycle; split applyOn or remove one`,
      );
  });
}

function overlaps(c: ConnectorConfig, a: number, b: number): boolean {
  return c.mappings[a].applyOn.some((l) => c.mappings[b].applyOn.includes(l));
}
