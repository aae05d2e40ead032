/**
 * What the app advertises (RFC 7644 §5 ServiceProviderConfig, §6 ResourceTypes) against what
 * the connector declares. A connector promising more than the app offers is a problem (those
 * requests will fail); an app offering more than the connector uses is only a note.
 */
import type { ConnectorConfig } from '../../config/types';

/** One capability compared. */
export interface CapabilityRow {
  name: string;
  advertised: string;
  declared: string;
  verdict: 'ok' | 'problem' | 'note';
}

interface ServiceProviderConfig {
  patch?: { supported?: boolean };
  bulk?: { supported?: boolean; maxOperations?: number };
  filter?: { supported?: boolean; maxResults?: number };
  etag?: { supported?: boolean };
}

const yesNo = (b: boolean | undefined) => (b === undefined ? 'unknown' : b ? 'yes' : 'no');

function row(name: string, advertised: boolean | undefined, declared: boolean, extra = ''): CapabilityRow {
  const verdict = advertised === undefined || advertised === declared ? 'ok' : declared ? 'problem' : 'note';
  return { name, advertised: `${yesNo(advertised)}${extra}`, declared: yesNo(declared), verdict };
}

function resourceTypeNames(resourceTypes: unknown): string[] | undefined {
  if (!resourceTypes || typeof resourceTypes !== 'object') return undefined;
  // Some apps answer a bare array instead of a ListResponse.
  const list = Array.isArray(resourceTypes) ? resourceTypes : (resourceTypes as { Resources?: unknown[] }).Resources;
  if (!Array.isArray(list)) return undefined;
  return list.map((r) => String((r as { name?: unknown }).name ?? ''));
}

/** Compares discovery documents with the connector's `capabilities`. */
export function compareCapabilities(
  connector: ConnectorConfig,
  serviceProviderConfig: unknown,
  resourceTypes: unknown,
): CapabilityRow[] {
  const spc = (serviceProviderConfig ?? {}) as ServiceProviderConfig;
  const caps = connector.capabilities;
  const types = resourceTypeNames(resourceTypes);
  const maxResults = spc.filter?.maxResults;
  const rows = [
    row('PATCH', spc.patch?.supported, caps.patch),
    row('Bulk', spc.bulk?.supported, caps.bulk, spc.bulk?.maxOperations ? ` (max ${spc.bulk.maxOperations} ops)` : ''),
    row('ETag', spc.etag?.supported, caps.etag),
    row(
      'filter',
      spc.filter?.supported,
      caps.filterOperators.length > 0,
      maxResults ? ` (max ${maxResults} results)` : '',
    ),
    row('Groups resource type', types?.includes('Group'), caps.groups),
  ];
  if (maxResults !== undefined && caps.maxPageSize > maxResults) {
    rows.push({
      name: 'page size',
      advertised: `max ${maxResults}`,
      declared: String(caps.maxPageSize),
      verdict: 'note',
    });
  }
  rows[3]!.declared = caps.filterOperators.join(', ');
  return rows;
}
