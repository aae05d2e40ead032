/**
 * Which peers may tell the API a client's address (`X-Forwarded-For`). The address feeds the
 * per-client rate limits, so trusting every peer lets any client pick its own bucket; a
 * reverse proxy's address (or range) is what nginx's `set_real_ip_from` and Fastify's
 * `trustProxy` list expect.
 */
import { isIP } from 'node:net';

/** Named ranges Fastify understands (proxy-addr): loopback, link-local and private addresses. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export class TrustedProxiesError extends Error {}

/**
 * Parses a comma-separated list of addresses, CIDR ranges and named ranges. Every entry is
 * checked so that a typo does not silently trust nobody (or everybody).
 */
export function parseTrustedProxies(raw: string, field = '--trusted-proxies'): string[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) {
    throw new TrustedProxiesError(
      `${field} is empty: list your reverse proxy's addresses or ranges, e.g. 10.0.0.5,10.1.0.0/16 or uniquelocal`,
    );
  }
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem) {
      throw new TrustedProxiesError(
        `${field}: "${entry}" ${problem}; use an IP address, a CIDR range (10.0.0.0/8) or one of ${[...NAMED_RANGES].join(', ')}`,
      );
    }
  }
  return entries;
}

function entryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry)) return undefined;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined) return 'has more than one "/"';
  const family = isIP(address);
  if (family === 0) return 'is not an IP address';
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return `has a prefix length outside 0–${bits}`;
  if (Number(prefix) === 0) return 'trusts every address (/0): use no list and no --trust-proxy instead';
  return undefined;
}
