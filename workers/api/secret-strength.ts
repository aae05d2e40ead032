/**
 * Whether a configured API secret or token is strong enough to guard lifecycle changes: an
 * HMAC secret that can be guessed lets anyone terminate (or hire) anyone. Values are judged
 * by their character set and length (32 random bytes = 256 bits, e.g. `openssl rand -base64
 * 48`), and the placeholders this project ships (.env.example) are refused by name.
 */

/** What to run instead; every refusal message ends with it. */
export const GENERATE_HINT =
  "generate one with `openssl rand -base64 48` or `node -e \"console.log(require('crypto').randomBytes(48).toString('base64'))\"`";

/** Bits a secret must carry at least: 32 random bytes. */
export const MIN_SECRET_BITS = 256;

/** Values shipped as examples (.env.example, docs); never valid, however long. */
export const KNOWN_PLACEHOLDERS: ReadonlySet<string> = new Set([
  'replace-with-a-long-random-secret',
  'replace-with-a-long-random-read-token',
  'replace-with-slack-scim-token',
  'replace-with-github-scim-token',
  'replace-with-canva-client-secret',
  'change-me-temporal-db',
  'change-me-audit-db',
]);

/** Words that only a hand-written value holds (a random one of this length practically never does). */
const PLACEHOLDER_WORDS = /replace|change-?me|changeit|placeholder|example|your-?secret|secret-?here|password|letmein/i;

function bitsPerChar(value: string): number {
  if (/^[0-9a-f]+$/i.test(value)) return 4;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return 6;
  return Math.log2(95);
}

/** Shannon entropy of the characters actually used, per character. */
function observedBitsPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

/**
 * Why `value` is too weak, or undefined when it is acceptable. Never repeats the value.
 * `minBits` is lowered only for keys another system generates (BambooHR's webhook keys).
 */
export function secretWeakness(value: string, minBits = MIN_SECRET_BITS): string | undefined {
  if (KNOWN_PLACEHOLDERS.has(value) || PLACEHOLDER_WORDS.test(value)) return 'is a placeholder, not a secret';
  const length = value.replace(/=+$/, '').length;
  const estimated = Math.floor(length * bitsPerChar(value));
  if (estimated < minBits)
    return `is too weak (about ${estimated} bits; at least ${minBits} are needed, i.e. ${minBits / 8} random bytes)`;
  // A long value drawn from few characters (`aaaa…`, `abcabc…`) is not random.
  if (observedBitsPerChar(value) < 3.5) return 'does not look random (too few distinct characters)';
  return undefined;
}
