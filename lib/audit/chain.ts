/**
 * Tamper evidence: every record carries the SHA-256 of its canonical content and of the
 * previous record of the same chain. Chains are per employee — the natural unit of an audit
 * ("show me this leaver") — so parallel per-app activities of different people never contend,
 * and one person's chain is verified without reading everyone's.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';

export { canonicalJson };

export const GENESIS = '0'.repeat(64);

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


export function recordHash(prevHash: string, f: ChainedFields): string {
  const content = canonicalJson([f.idempotencyKey, f.chain, f.chainSeq, f.kind, f.employeeId, f.workflowId, f.runId, f.occurredAt, f.data]);
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

export interface StoredRecord extends ChainedFields {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface ChainProblem {
  chain: string;
  chainSeq: number;
  seq?: number;
  problem: 'edited' | 'missing' | 'reordered' | 'broken-link';
  message: string;
}

/** Checks one chain's records (ordered by chain_seq); returns the first problem, if any. */
export function verifyChain(chain: string, records: StoredRecord[]): ChainProblem | undefined {
  let prev = GENESIS;
  let expectedSeq = 1;
  for (const r of records) {
    if (r.chainSeq !== expectedSeq) {
      return r.chainSeq > expectedSeq
        ? { chain, chainSeq: expectedSeq, seq: r.seq, problem: 'missing', message: `record ${expectedSeq} of chain ${chain} is missing (next present is ${r.chainSeq})` }
        : { chain, chainSeq: r.chainSeq, seq: r.seq, problem: 'reordered', message: `record ${r.chainSeq} of chain ${chain} appears out of order` };
    }
    if (r.prevHash !== prev) {
      return { chain, chainSeq: r.chainSeq, seq: r.seq, problem: 'broken-link', message: `record ${r.chainSeq} of chain ${chain} does not link to record ${r.chainSeq - 1} (a record before it was changed, removed or reordered)` };
    }
    if (recordHash(r.prevHash, r) !== r.hash) {
      return { chain, chainSeq: r.chainSeq, seq: r.seq, problem: 'edited', message: `record ${r.chainSeq} of chain ${chain} (key ${r.idempotencyKey}) was edited: its content no longer matches its hash` };
    }
    prev = r.hash;
    expectedSeq++;
  }
  return undefined;
}
