/**
 * Signed checkpoints: every chain's head (its length and last hash) at one moment, with a MAC
 * under the audit key. Kept outside the database (an append-only file, a WORM bucket, a ticket),
 * they turn what a MAC alone cannot see — a truncated chain, a removed chain, a chain rewritten
 * by someone holding the key — into a failed verification. One JSON object a line, so a file
 * grows by appending and every line stays checkable on its own.
 */
import { canonicalJson, type ChainProblem } from './chain';
import type { AuditKey } from './key';

export const CHECKPOINT_FORMAT = 'jml-audit-checkpoint/1';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  keyId: string;
  /** The database server's time when the snapshot was read. */
  takenAt: string;
  records: number;
  /** chain → [record count, hash of the last record]. */
  chains: Record<string, [number, string]>;
  mac: string;
}

export function signCheckpoint(key: AuditKey, body: Omit<Checkpoint, 'format' | 'keyId' | 'mac'>): Checkpoint {
  const unsigned = { format: CHECKPOINT_FORMAT, keyId: key.id, ...body };
  return { ...unsigned, mac: key.checkpointMac(canonicalJson(unsigned)) } as Checkpoint;
}

/** One line of a checkpoint file. */
export function checkpointLine(cp: Checkpoint): string {
  return `${JSON.stringify(cp)}\n`;
}

/** Parses and authenticates every line; an edited, forged or foreign line is a problem, never trusted. */
export function readCheckpoints(
  text: string,
  key: AuditKey,
  source: string,
): { checkpoints: Checkpoint[]; problems: ChainProblem[] } {
  const checkpoints: Checkpoint[] = [];
  const problems: ChainProblem[] = [];
  const bad = (line: number, why: string) =>
    problems.push({ chain: '', chainSeq: 0, problem: 'bad-checkpoint', message: `${source}:${line}: ${why}` });
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let parsed: Checkpoint;
    try {
      parsed = JSON.parse(raw) as Checkpoint;
    } catch {
      return bad(i + 1, 'not a checkpoint (invalid JSON)');
    }
    if (parsed?.format !== CHECKPOINT_FORMAT || typeof parsed.chains !== 'object' || typeof parsed.mac !== 'string') {
      return bad(i + 1, `not a checkpoint (expected format ${CHECKPOINT_FORMAT})`);
    }
    if (parsed.keyId !== key.id)
      return bad(i + 1, `signed with audit key ${parsed.keyId}, not the given key ${key.id}`);
    const { mac, ...unsigned } = parsed;
    if (key.checkpointMac(canonicalJson(unsigned)) !== mac)
      return bad(i + 1, 'the signature does not match: the checkpoint was edited');
    checkpoints.push(parsed);
  });
  if (checkpoints.length === 0 && problems.length === 0) bad(0, 'holds no checkpoint');
  return { checkpoints, problems };
}

/** What the store holds now for one chain. */
export interface ChainState {
  /** Highest chain_seq present (0 when the chain has no records). */
  length: number;
  hashAt(chainSeq: number): string | undefined;
}

/** Compares one checkpoint with the store: every chain it names must still be there, at least as long, same head. */
export function compareWithCheckpoint(
  cp: Checkpoint,
  state: (chain: string) => ChainState | undefined,
  only?: string,
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  for (const [chain, [count, head]] of Object.entries(cp.chains)) {
    if (only !== undefined && chain !== only) continue;
    const now = state(chain);
    if (!now || now.length === 0) {
      problems.push({
        chain,
        chainSeq: 1,
        problem: 'chain-removed',
        message: `chain ${chain} (${count} records at checkpoint ${cp.takenAt}) was removed`,
      });
    } else if (now.length < count) {
      problems.push({
        chain,
        chainSeq: now.length + 1,
        problem: 'truncated',
        message: `chain ${chain} was truncated: ${now.length} records, the checkpoint of ${cp.takenAt} saw ${count}`,
      });
    } else if (now.hashAt(count) !== head) {
      problems.push({
        chain,
        chainSeq: count,
        problem: 'rewritten',
        message: `record ${count} of chain ${chain} is not the one the checkpoint of ${cp.takenAt} signed: the chain was rewritten`,
      });
    }
  }
  return problems;
}
