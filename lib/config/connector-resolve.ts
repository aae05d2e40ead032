/**
 * Connector file (as written) → `ConnectorConfig` (resolved), applying CONNECTOR_DEFAULTS.
 */
import type { ConnectorFile, MappingFile } from './connector-schema';
import { CONNECTOR_DEFAULTS as D } from './defaults';
import { tryParseDuration } from './duration';
import type { AttributeMapping, AuthConfig, ConnectorConfig } from './types';

/** A duration field: a number is milliseconds, a string is parsed; `undefined` when invalid. */
export function durationMs(value: string | number | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? value : tryParseDuration(value);
}

function resolveMapping(m: MappingFile): AttributeMapping {
  const out: AttributeMapping = {
    target: m.target,
    applyOn: m.applyOn ?? [...D.mapping.applyOn],
    transform: m.transform ?? [],
    required: m.required ?? D.mapping.required,
  };
  if (m.source !== undefined) out.source = m.source;
  if (m.template !== undefined) out.template = m.template;
  if (m.value !== undefined) out.value = m.value;
  if (m.map !== undefined) out.map = m.map;
  if (m.default !== undefined) out.default = m.default;
  return out;
}

/** Applies defaults. Invalid durations resolve to the default; the rules pass reports them. */
export function resolveConnector(file: ConnectorFile, sourceFile: string): ConnectorConfig {
  const capabilities = {
    ...D.capabilities,
    ...file.capabilities,
    filterOperators: [...(file.capabilities?.filterOperators ?? D.capabilities.filterOperators)],
  };
  const rps = file.rateLimit?.requestsPerSecond ?? D.rateLimit.requestsPerSecond;
  return {
    id: file.id,
    displayName: file.displayName ?? file.id,
    scim: {
      baseUrl: file.scim.baseUrl.replace(/\/+$/, ''),
      allowInsecureHttp: file.scim.allowInsecureHttp ?? D.scim.allowInsecureHttp,
      userSchemaExtensions: file.scim.userSchemaExtensions ?? [...D.scim.userSchemaExtensions],
    },
    auth: file.auth as AuthConfig,
    timeouts: {
      connectMs: durationMs(file.timeouts?.connect, D.timeouts.connectMs) ?? D.timeouts.connectMs,
      requestMs: durationMs(file.timeouts?.request, D.timeouts.requestMs) ?? D.timeouts.requestMs,
      idleMs: durationMs(file.timeouts?.idle, D.timeouts.idleMs) ?? D.timeouts.idleMs,
    },
    rateLimit: {
      requestsPerSecond: rps,
      burst: file.rateLimit?.burst ?? Math.max(1, Math.ceil(rps)),
      ...(file.rateLimit?.budget ? { budget: file.rateLimit.budget } : {}),
      maxConcurrency: file.rateLimit?.maxConcurrency ?? D.rateLimit.maxConcurrency,
    },
    capabilities,
    delete: { ...D.delete, ...file.delete },
    match: file.match ?? [...D.match],
    mappings: file.mappings.map(resolveMapping),
    groups: {
      manage: file.groups?.manage ?? capabilities.groups,
      create: file.groups?.create ?? D.groups.create,
      nameTemplate: file.groups?.nameTemplate ?? D.groups.nameTemplate,
    },
    sourceFile,
  };
}
