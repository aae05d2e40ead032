/**
 * Resolves a connector's mapping targets once. The loader has already validated them, so a
 * failure here means the connector object did not come from `loadConfig`.
 */
import type { AttributeMapping, ConnectorConfig, Lifecycle } from '../config/types';
import { resolveTarget, type ResolvedTarget } from './target';

/** The part of a connector the mapping functions read. */
export type MappingConnector = Pick<ConnectorConfig, 'id' | 'mappings'> & {
  scim: Pick<ConnectorConfig['scim'], 'userSchemaExtensions'>;
};

/** A mapping with its target resolved against the schemas. */
export interface CompiledMapping {
  mapping: AttributeMapping;
  target: ResolvedTarget;
}

const cache = new WeakMap<readonly AttributeMapping[], CompiledMapping[]>();

/** Every mapping of the connector with its resolved target, in file order. */
export function compileMappings(connector: MappingConnector): CompiledMapping[] {
  const hit = cache.get(connector.mappings);
  if (hit) return hit;
  const compiled = connector.mappings.map((mapping) => {
    const result = resolveTarget(mapping.target, connector.scim.userSchemaExtensions);
    if (!result.ok) throw new Error(`connector "${connector.id}": ${result.message}`);
    return { mapping, target: result.target };
  });
  cache.set(connector.mappings, compiled);
  return compiled;
}

/** The mappings that apply on `lifecycle` (`applyOn`). */
export function mappingsFor(connector: MappingConnector, lifecycle: Lifecycle): CompiledMapping[] {
  return compileMappings(connector).filter((c) => c.mapping.applyOn.includes(lifecycle));
}
