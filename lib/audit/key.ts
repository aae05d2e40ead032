/**
 * The audit key: the secret that makes the hash chain an HMAC and signs checkpoints. It lives
 * outside the database (`JML_AUDIT_KEY` or `JML_AUDIT_KEY_FILE`), so someone who can write the
 * database cannot forge a record that verifies. Sub-keys are derived per purpose, so a chain
 * MAC can never be replayed as a checkpoint signature.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class AuditKeyError extends Error {
  override name = 'AuditKeyError';
}

export interface AuditKey {
  /** Short public fingerprint stored with each record: says which key wrote it, reveals nothing. */
  readonly id: string;
  /** MAC over a record's chained content. */
  chainMac(content: string): string;
  /** MAC over a checkpoint's canonical body. */
  checkpointMac(content: string): string;
}

const GENERATE_HINT = 'generate one with `openssl rand -base64 48` and keep it outside the database';
// Words long enough that a random key never contains them by chance.
const PLACEHOLDER = /replace|change.?me|example|placeholder|secret|password|dummy|x{8,}|your.?key/i;

/** Rough entropy of a key string: hex carries 4 bits a character, base64 6, anything else ~5. */
function estimatedBits(value: string): number {
  if (/^[0-9a-f]+$/i.test(value)) return value.length * 4;
  if (/^[A-Za-z0-9+/_-]+=*$/.test(value)) return value.replace(/=+$/, '').length * 6;
  return value.length * 5;
}

/** Refuses placeholders and anything weaker than 32 random bytes; `source` names where it came from. */
export function auditKeyFromString(value: string, source = 'JML_AUDIT_KEY'): AuditKey {
  const material = value.trim();
  if (material.length === 0) throw new AuditKeyError(`${source} is empty: ${GENERATE_HINT}`);
  if (PLACEHOLDER.test(material))
    throw new AuditKeyError(`${source} looks like a placeholder, not a key: ${GENERATE_HINT}`);
  if (Buffer.byteLength(material) < 32 || estimatedBits(material) < 256 || new Set(material).size < 12) {
    throw new AuditKeyError(
      `${source} is too weak (needs at least 32 random bytes, e.g. 43+ base64 characters): ${GENERATE_HINT}`,
    );
  }
  const derive = (purpose: string) => createHmac('sha256', material).update(purpose).digest();
  const chainKey = derive('jml-audit-chain-v2');
  const checkpointKey = derive('jml-audit-checkpoint-v1');
  const id = derive('jml-audit-key-id').toString('hex').slice(0, 16);
  return {
    id,
    chainMac: (content) => createHmac('sha256', chainKey).update(content).digest('hex'),
    checkpointMac: (content) => createHmac('sha256', checkpointKey).update(content).digest('hex'),
  };
}

/**
 * The key from `JML_AUDIT_KEY` or the file named by `JML_AUDIT_KEY_FILE` (not both), or
 * undefined when neither is set (the caller decides whether that is fatal).
 */
export function auditKeyFromEnv(env: NodeJS.ProcessEnv = process.env): AuditKey | undefined {
  const inline = env.JML_AUDIT_KEY;
  const file = env.JML_AUDIT_KEY_FILE;
  if (inline && file) throw new AuditKeyError('set JML_AUDIT_KEY or JML_AUDIT_KEY_FILE, not both');
  if (inline) return auditKeyFromString(inline, 'JML_AUDIT_KEY');
  if (file) return auditKeyFromFile(file, 'JML_AUDIT_KEY_FILE');
  return undefined;
}

export function auditKeyFromFile(file: string, source = file): AuditKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AuditKeyError(
      `cannot read the audit key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}) named by ${source}`,
    );
  }
  return auditKeyFromString(text, `the audit key in ${file}`);
}

/**
 * For the single-box experience (dev stack, PGlite default): reads `<dir>/audit.key`, or
 * creates it (0600) with 48 random bytes. `generated` tells the caller to say so.
 */
export function ensureLocalAuditKey(dir: string): { key: AuditKey; file: string; generated: boolean } {
  const file = path.join(dir, 'audit.key');
  if (existsSync(file)) return { key: auditKeyFromFile(file), file, generated: false };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${randomBytes(48).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new AuditKeyError(`cannot create the audit key file ${file} (${code}): ${MISSING_KEY_MESSAGE}`);
  }
  return { key: auditKeyFromFile(file), file, generated: true };
}

/** The message for a process that needs the key and has none. */
export const MISSING_KEY_MESSAGE = `no audit key: set JML_AUDIT_KEY or JML_AUDIT_KEY_FILE (${GENERATE_HINT})`;
