/**
 * Tamper evidence: every record carries a MAC of its canonical content and of the previous
 * record of the same chain. Chains are per employee — the natural unit of an audit ("show me
 * this leaver") — so parallel per-app activities of different people never contend, and one
 * person's chain is verified without reading everyone's.
 *
 * Chain version 1 (before the audit key) was a plain SHA-256: anyone able to insert a row could
 * compute a valid one. Version 2 is an HMAC keyed with the audit key (lib/audit/key.ts), which is
 * not in the database, and covers the server-set `recorded_at`. Version 1 records written before
 * the keyed chain was introduced (each chain's length then is fixed by the migration in
 * `audit_legacy_heads`) still verify under the old rule; a version 1 record after that point is
 * reported as unkeyed.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import type { AuditKey } from './key';

export { canonicalJson };

export const GENESIS = '0'.repeat(64);
export const CHAIN_VERSION = 2;

export interface ChainedFields {
  idempotencyKey: string;
  chain: string;
  chainSeq: number;
  kind: string;
  employeeId: string;
  workflowId: string | null;
  runId: string | null;
  occurredAt: string;
  data: unknown;
}

/** The fields a version 2 record adds to the MAC. */
export interface KeyedFields extends ChainedFields {
  /** Set by the database server (ISO, millisecond precision). */
  recordedAt: string;
  keyId: string;
}

/** Chain version 1: unkeyed SHA-256 (kept to verify records written before the audit key). */
export function recordHash(prevHash: string, f: ChainedFields): string {
  const content = canonicalJson([
    f.idempotencyKey,
    f.chain,
    f.chainSeq,
    f.kind,
    f.employeeId,
    f.workflowId,
    f.runId,
    f.occurredAt,
    f.data,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

/** Chain version 2: HMAC with the audit key over the link, the content and the server's time. */
export function keyedRecordHash(key: AuditKey, prevHash: string, f: KeyedFields): string {
  const content = canonicalJson([
    CHAIN_VERSION,
    f.keyId,
    f.idempotencyKey,
    f.chain,
    f.chainSeq,
    f.kind,
    f.employeeId,
    f.workflowId,
    f.runId,
    f.occurredAt,
    f.recordedAt,
    f.data,
  ]);
  return key.chainMac(`${prevHash}\n${content}`);
}

export interface StoredRecord extends ChainedFields {
  seq: number;
  prevHash: string;
  hash: string;
  chainVersion: number;
  keyId: string | null;
  recordedAt: string;
}

export type ChainProblemKind =
  | 'edited'
  | 'missing'
  | 'reordered'
  | 'broken-link'
  | 'unkeyed'
  | 'wrong-key'
  | 'truncated'
  | 'chain-removed'
  | 'rewritten'
  | 'bad-checkpoint';

export interface ChainProblem {
  chain: string;
  chainSeq: number;
  seq?: number;
  problem: ChainProblemKind;
  message: string;
}

export interface VerifyChainOptions {
  /** Needed for version 2 records; without it they cannot be checked. */
  key?: AuditKey;
  /** This chain's records 1..legacyUpTo were written before the keyed chain (fixed by the migration). @default 0 */
  legacyUpTo?: number;
}

/** Checks one chain's records (ordered by chain_seq); returns the first problem, if any. */
export function verifyChain(
  chain: string,
  records: StoredRecord[],
  options: VerifyChainOptions = {},
): ChainProblem | undefined {
  let prev = GENESIS;
  let expectedSeq = 1;
  let keyedSeen = false;
  const legacyUpTo = options.legacyUpTo ?? 0;
  for (const r of records) {
    const at = { chain, chainSeq: r.chainSeq, seq: r.seq };
    if (r.chainSeq !== expectedSeq) {
      return r.chainSeq > expectedSeq
        ? {
            ...at,
            chainSeq: expectedSeq,
            problem: 'missing',
            message: `record ${expectedSeq} of chain ${chain} is missing (next present is ${r.chainSeq})`,
          }
        : { ...at, problem: 'reordered', message: `record ${r.chainSeq} of chain ${chain} appears out of order` };
    }
    if (r.prevHash !== prev) {
      return {
        ...at,
        problem: 'broken-link',
        message: `record ${r.chainSeq} of chain ${chain} does not link to record ${r.chainSeq - 1} (a record before it was changed, removed or reordered)`,
      };
    }
    if (r.chainVersion >= CHAIN_VERSION) {
      if (!options.key) throw new Error(`chain ${chain} has keyed records: verifying them needs the audit key`);
      if (r.keyId !== options.key.id) {
        return {
          ...at,
          problem: 'wrong-key',
          message: `record ${r.chainSeq} of chain ${chain} names audit key ${r.keyId ?? '(none)'}, not the given key ${options.key.id} (forged, or verified with the wrong key)`,
        };
      }
      if (keyedRecordHash(options.key, r.prevHash, { ...r, keyId: r.keyId, recordedAt: r.recordedAt }) !== r.hash) {
        return {
          ...at,
          problem: 'edited',
          message: `record ${r.chainSeq} of chain ${chain} (key ${r.idempotencyKey}) was edited or forged: its content does not match its keyed hash`,
        };
      }
      keyedSeen = true;
    } else {
      if (keyedSeen || r.chainSeq > legacyUpTo) {
        return {
          ...at,
          problem: 'unkeyed',
          message: `record ${r.chainSeq} of chain ${chain} (key ${r.idempotencyKey}) carries an unkeyed hash but was written after the keyed chain was introduced (forged)`,
        };
      }
      if (recordHash(r.prevHash, r) !== r.hash) {
        return {
          ...at,
          problem: 'edited',
          message: `record ${r.chainSeq} of chain ${chain} (key ${r.idempotencyKey}) was edited: its content no longer matches its hash`,
        };
      }
    }
    prev = r.hash;
    expectedSeq++;
  }
  return undefined;
}
