/**
 * Filters built from a typed form (RFC 7644 §3.4.2.2), never by pasting strings: values are
 * JSON string literals, so `"` and `\` in a name cannot break out of the filter.
 */

export interface EqFilter {
  attribute: 'externalId' | 'userName' | 'displayName' | 'id';
  value: string;
}

export function formatEq(f: EqFilter): string {
  return `${f.attribute} eq ${JSON.stringify(f.value)}`;
}
