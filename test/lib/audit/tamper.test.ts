/**
 * The tamper suite: an insider with write access to the database (the insert-only writer role
 * for appends; the table owner, around the append-only triggers, for edits and deletions)
 * tries to rewrite the evidence. Each attempt must fail verification — given a checkpoint kept
 * outside the database where the chain alone cannot tell (truncation, removed chains, a
 * rewrite by someone holding the key). Runs on PGlite, and on PostgreSQL in a database of its
 * own when JML_TEST_DATABASE_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AuditStore,
  auditKeyFromString,
  checkpointLine,
  readCheckpoints,
  recordHash,
  type AppendInput,
  type AuditKey,
  type Checkpoint,
} from '../../../lib/audit';
import { keyedRecordHash } from '../../../lib/audit/chain';
import { openDatabase } from '../../../lib/audit/db';
import { migrate } from '../../../lib/audit/migrations';
import { TEST_AUDIT_KEY, TEST_DATABASE_URL, freshDatabase } from '../../helpers/audit-targets';

type Target = { name: string; open(key?: AuditKey): Promise<AuditStore>; cleanup(): Promise<void> };

const targets: [string, () => Promise<Target>][] = [
  [
    'PGlite',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'jml-tamper-'));
      return {
        name: 'PGlite',
        open: (key = TEST_AUDIT_KEY) => AuditStore.open({ dataDir: dir, key }),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
];
if (TEST_DATABASE_URL) {
  targets.push([
    'PostgreSQL',
    async () => {
      const db = await freshDatabase(TEST_DATABASE_URL!, 'jml_tamper');
      return {
        name: 'PostgreSQL',
        open: (key = TEST_AUDIT_KEY) => AuditStore.open({ databaseUrl: db.url, key }),
        cleanup: db.drop,
      };
    },
  ]);
}

describe.each(targets)('tampering with the audit store on %s', (name, makeTarget) => {
  let target: Target;
  let store: AuditStore;
  let n = 0;
  let employee: string;

  beforeAll(async () => {
    target = await makeTarget();
    store = await target.open();
  });
  afterAll(async () => {
    await store?.close();
    await target?.cleanup();
  });
  beforeEach(() => {
    employee = `T-${++n}-${Date.now().toString(36)}`;
  });
  // Each test leaves its chain broken; the next test's checkpoint must sign a sound store.
  afterEach(async () => {
    await asOwner('DELETE FROM audit_records WHERE chain = $1', [employee]);
  });

  const record = (i: number, employeeId = employee): AppendInput => ({
    key: `${employeeId}#${i}`,
    kind: 'scim-request',
    employeeId,
    workflowId: `employee-${employeeId}`,
    runId: 'run-1',
    occurredAtMs: Date.parse('2026-11-20T10:00:00Z') + i * 1000,
    data: { app: 'slack', operation: i === 3 ? 'deactivate-user' : 'update-user', status: 200 },
  });

  async function chainOf(employeeId: string, count: number): Promise<void> {
    for (let i = 1; i <= count; i++) await store.append(record(i, employeeId));
  }

  /** As the table owner, around the append-only triggers. */
  async function asOwner(sql: string, params: unknown[] = []): Promise<void> {
    await store.db.transaction(async (tx) => {
      await tx.exec('ALTER TABLE audit_records DISABLE TRIGGER USER');
      await tx.query(sql, params);
      await tx.exec('ALTER TABLE audit_records ENABLE TRIGGER USER');
    });
  }

  /** As the worker's insert-only role (PostgreSQL); PGlite has one user. */
  async function asWriter(sql: string, params: unknown[] = []): Promise<void> {
    await store.db.transaction(async (tx) => {
      if (name === 'PostgreSQL') await tx.query('SET LOCAL ROLE jml_audit_writer');
      await tx.query(sql, params);
    });
  }

  /** Checkpoint text as the auditor keeps it: through the file format and back. */
  async function takeCheckpoint(): Promise<string> {
    const { checkpoint, verify } = await store.checkpoint();
    expect(verify.problems).toEqual([]);
    return checkpointLine(checkpoint!);
  }

  async function verifyWith(text: string, employeeId?: string) {
    const { checkpoints, problems } = store.readCheckpoints(text, 'checkpoints.jsonl');
    expect(problems).toEqual([]);
    return store.verify({ employeeId, checkpoints });
  }

  it('sets the record time on the database server and refuses a client-chosen one', async () => {
    const before = Date.now();
    const r = await store.append(record(1));
    expect(r.recordedAtMs).toBeGreaterThanOrEqual(before - 5_000);
    await expect(
      asWriter(
        `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, occurred_at, data, prev_hash, hash, recorded_at, chain_version)
         VALUES ('backdated', $1, 2, 'milestone', $1, '2026-01-01', '{}', $2, 'x', '2026-01-01T00:00:00Z', 2)`,
        [employee, r.hash],
      ),
    ).rejects.toThrow(/database server's time/);
  });

  it('detects a record appended with a correctly recomputed plain SHA-256 hash', async () => {
    await chainOf(employee, 2);
    const text = await takeCheckpoint();
    const [last] = (
      await store.db.query<{ hash: string }>('SELECT hash FROM audit_records WHERE chain = $1 AND chain_seq = 2', [
        employee,
      ])
    ).rows;
    const forged = {
      idempotencyKey: `${employee}#forged`,
      chain: employee,
      chainSeq: 3,
      kind: 'scim-request',
      employeeId: employee,
      workflowId: `employee-${employee}`,
      runId: 'run-1',
      occurredAt: '2026-11-20T10:00:03.000Z',
      data: { app: 'slack', operation: 'deactivate-user', status: 200 },
    };
    await asWriter(
      `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, workflow_id, run_id, occurred_at, data, prev_hash, hash)
       VALUES ($1, $2, 3, $3, $2, $4, $5, $6, $7, $8, $9)`,
      [
        forged.idempotencyKey,
        employee,
        forged.kind,
        forged.workflowId,
        forged.runId,
        forged.occurredAt,
        JSON.stringify(forged.data),
        last!.hash,
        recordHash(last!.hash, forged),
      ],
    );
    expect((await verifyWith(text, employee)).problems).toEqual([
      expect.objectContaining({ chainSeq: 3, problem: 'unkeyed' }),
    ]);
    // Chain alone (no checkpoint) catches it too: the hash proves nothing without the key.
    expect((await store.verify({ employeeId: employee })).problems).toEqual([
      expect.objectContaining({ problem: 'unkeyed' }),
    ]);
  });

  it('detects a forged keyed record made without the key', async () => {
    await chainOf(employee, 2);
    const [last] = (
      await store.db.query<{ hash: string; key_id: string }>(
        'SELECT hash, key_id FROM audit_records WHERE chain = $1 AND chain_seq = 2',
        [employee],
      )
    ).rows;
    const guessed = auditKeyFromString(randomBytes(48).toString('base64'));
    const fields = {
      idempotencyKey: `${employee}#forged`,
      chain: employee,
      chainSeq: 3,
      kind: 'scim-request',
      employeeId: employee,
      workflowId: null,
      runId: null,
      occurredAt: '2026-11-20T10:00:03.000Z',
      data: { operation: 'deactivate-user', status: 200 },
      keyId: last!.key_id,
    };
    await store.db.transaction(async (tx) => {
      if (name === 'PostgreSQL') await tx.query('SET LOCAL ROLE jml_audit_writer');
      const t = (await tx.query<{ t: Date }>(`SELECT date_trunc('milliseconds', clock_timestamp()) AS t`)).rows[0]!.t;
      const recordedAt = new Date(t).toISOString();
      await tx.query(
        `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, occurred_at, data, prev_hash, hash, recorded_at, chain_version, key_id)
         VALUES ($1, $2, 3, $3, $2, $4, $5, $6, $7, $8, 2, $9)`,
        [
          fields.idempotencyKey,
          employee,
          fields.kind,
          fields.occurredAt,
          JSON.stringify(fields.data),
          last!.hash,
          keyedRecordHash(guessed, last!.hash, { ...fields, recordedAt }),
          recordedAt,
          last!.key_id,
        ],
      );
    });
    expect((await store.verify({ employeeId: employee })).problems).toEqual([
      expect.objectContaining({ chainSeq: 3, problem: 'edited' }),
    ]);
  });

  it('detects an edited record', async () => {
    await chainOf(employee, 3);
    const text = await takeCheckpoint();
    await asOwner(
      `UPDATE audit_records SET data = jsonb_set(data, '{status}', '500') WHERE chain = $1 AND chain_seq = 2`,
      [employee],
    );
    expect((await verifyWith(text, employee)).problems).toEqual([
      expect.objectContaining({ chainSeq: 2, problem: 'edited' }),
    ]);
  });

  it('detects a deleted record', async () => {
    await chainOf(employee, 3);
    const text = await takeCheckpoint();
    await asOwner('DELETE FROM audit_records WHERE chain = $1 AND chain_seq = 2', [employee]);
    expect((await verifyWith(text, employee)).problems).toEqual([
      expect.objectContaining({ chainSeq: 2, problem: 'missing' }),
    ]);
  });

  it('detects a truncated chain given a checkpoint', async () => {
    await chainOf(employee, 4);
    const text = await takeCheckpoint();
    await asOwner('DELETE FROM audit_records WHERE chain = $1 AND chain_seq >= 3', [employee]);
    // The chain that is left is internally valid: only the checkpoint knows it was longer.
    expect((await store.verify({ employeeId: employee })).ok).toBe(true);
    expect((await verifyWith(text, employee)).problems).toEqual([
      expect.objectContaining({ problem: 'truncated', chainSeq: 3 }),
    ]);
  });

  it('detects a whole chain removed given a checkpoint', async () => {
    await chainOf(employee, 2);
    const text = await takeCheckpoint();
    await asOwner('DELETE FROM audit_records WHERE chain = $1', [employee]);
    expect((await verifyWith(text)).problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ chain: employee, problem: 'chain-removed' })]),
    );
    expect((await verifyWith(text, employee)).problems).toEqual([
      expect.objectContaining({ chain: employee, problem: 'chain-removed' }),
    ]);
  });

  it('detects a chain rewritten by someone holding the key, given a checkpoint', async () => {
    await chainOf(employee, 3);
    const text = await takeCheckpoint();
    // Remove the revocation record and re-append a different one with the real key.
    await asOwner('DELETE FROM audit_records WHERE chain = $1 AND chain_seq = 3', [employee]);
    await store.append({
      ...record(3),
      key: `${employee}#3-again`,
      data: { app: 'slack', operation: 'deactivate-user', status: 404 },
    });
    expect((await store.verify({ employeeId: employee })).ok).toBe(true);
    expect((await verifyWith(text, employee)).problems).toEqual([
      expect.objectContaining({ chainSeq: 3, problem: 'rewritten' }),
    ]);
  });

  it('accepts records appended after a checkpoint, and refuses an edited or foreign checkpoint', async () => {
    await chainOf(employee, 2);
    const text = await takeCheckpoint();
    await store.append(record(3));
    expect((await verifyWith(text)).ok).toBe(true);
    const cp = JSON.parse(text) as Checkpoint;
    const shortened = JSON.stringify({ ...cp, chains: { ...cp.chains, [employee]: [1, cp.chains[employee]![1]] } });
    expect(store.readCheckpoints(shortened, 'cp').problems).toEqual([
      expect.objectContaining({ problem: 'bad-checkpoint', message: expect.stringMatching(/cp:1: .*edited/) }),
    ]);
    const otherKey = auditKeyFromString(randomBytes(48).toString('base64'));
    expect(readCheckpoints(text, otherKey, 'cp').problems).toEqual([
      expect.objectContaining({ problem: 'bad-checkpoint', message: expect.stringMatching(/not the given key/) }),
    ]);
  });

  it('refuses to sign a checkpoint over a broken chain', async () => {
    await chainOf(employee, 2);
    await asOwner(`UPDATE audit_records SET data = '{}' WHERE chain = $1 AND chain_seq = 1`, [employee]);
    const { checkpoint, verify } = await store.checkpoint();
    expect(checkpoint).toBeUndefined();
    expect(verify.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ chain: employee, problem: 'edited' })]),
    );
  });
});

describe('records written before the keyed chain (PGlite)', () => {
  it('keep verifying under the old rule; an unkeyed record after the upgrade is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jml-legacy-'));
    try {
      // A store as the release before the keyed chain left it: migrations 1-4, plain SHA-256 chains.
      const db = await openDatabase({ dataDir: dir });
      await migrate(db, 4);
      let prev = '0'.repeat(64);
      for (let i = 1; i <= 2; i++) {
        const f = {
          idempotencyKey: `L#${i}`,
          chain: 'L1',
          chainSeq: i,
          kind: 'milestone',
          employeeId: 'L1',
          workflowId: null,
          runId: null,
          occurredAt: `2026-01-0${i}T00:00:00.000Z`,
          data: { kind: 'event-received' },
        };
        const hash = recordHash(prev, f);
        await db.query(
          `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, occurred_at, data, prev_hash, hash)
           VALUES ($1, 'L1', $2, 'milestone', 'L1', $3, $4, $5, $6)`,
          [f.idempotencyKey, i, f.occurredAt, JSON.stringify(f.data), prev, hash],
        );
        prev = hash;
      }
      await db.close();

      // The new release opens (and migrates) it and appends a keyed record to the old chain.
      const store = await AuditStore.open({ dataDir: dir, key: TEST_AUDIT_KEY });
      try {
        await store.append({
          key: 'L#3',
          kind: 'milestone',
          employeeId: 'L1',
          occurredAtMs: Date.parse('2026-01-03'),
          data: { kind: 'x' },
        });
        expect(await store.verify({ employeeId: 'L1' })).toMatchObject({ ok: true, records: 3 });
        const f4 = {
          idempotencyKey: 'L#4',
          chain: 'L1',
          chainSeq: 4,
          kind: 'milestone',
          employeeId: 'L1',
          workflowId: null,
          runId: null,
          occurredAt: '2026-01-04T00:00:00.000Z',
          data: {},
        };
        const head = (await store.records({ employeeId: 'L1' }))[2]!.hash;
        await store.db.query(
          `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, occurred_at, data, prev_hash, hash)
           VALUES ('L#4', 'L1', 4, 'milestone', 'L1', $1, '{}', $2, $3)`,
          [f4.occurredAt, head, recordHash(head, f4)],
        );
        expect((await store.verify({ employeeId: 'L1' })).problems).toEqual([
          expect.objectContaining({ chainSeq: 4, problem: 'unkeyed' }),
        ]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
