/**
 * The audit store on PGlite always, and on PostgreSQL too when JML_TEST_DATABASE_URL (or
 * DATABASE_URL) is set: idempotent
 * appends, append-only enforcement, and chain verification that names the first broken record
 * after an edit, a deletion, a reordering and an insertion made behind the store's back.
 */
import { Worker } from 'node:worker_threads';
import type { AuditStore, AppendInput } from '../../../lib/audit';
import { mergeAccountWrites } from '../../../lib/audit/store';
import { auditTargets } from '../../helpers/audit-targets';

describe.each(auditTargets)('audit store on %s', (_name, open) => {
  let store: AuditStore;
  let employee: string;
  let n = 0;

  // One store per engine (opening PGlite costs seconds); every test writes its own employee's chain.
  beforeAll(async () => {
    store = await open();
  });
  beforeEach(() => {
    employee = `E-${Date.now()}-${++n}`;
  });
  afterAll(async () => {
    await store?.close();
  });

  const record = (i: number, extra: Partial<AppendInput> = {}): AppendInput => ({
    key: `${employee}#${i}`,
    kind: 'milestone',
    employeeId: employee,
    workflowId: `employee-${employee}`,
    runId: 'run-1',
    occurredAtMs: Date.parse('2026-11-20T10:00:00Z') + i * 1000,
    data: { kind: 'event-received', eventId: `evt-${i}`, nested: { b: 1, a: [1, 2] } },
    ...extra,
  });

  it('lists people, not the chains of reconciliation runs', async () => {
    await store.append(record(1));
    const chain = `reconcile-${employee}`;
    await store.append({
      key: `${chain}#1`,
      kind: 'reconciliation',
      employeeId: chain,
      workflowId: chain,
      occurredAtMs: Date.parse('2026-11-20T10:00:00Z'),
      data: { findings: 0 },
    });
    const people = await store.employees();
    expect(people).toContain(employee);
    expect(people).not.toContain(chain);
  });

  /** Tampering as the table owner would: around the append-only trigger. */
  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await store.db.exec('ALTER TABLE audit_records DISABLE TRIGGER USER');
    try {
      await store.db.query(sql, params);
    } finally {
      await store.db.exec('ALTER TABLE audit_records ENABLE TRIGGER USER');
    }
  }

  it('appends idempotently by key and chains records per employee', async () => {
    const first = await store.append(record(1));
    const again = await store.append({ ...record(1), data: { different: true } });
    expect(again).toEqual(first);
    await store.append(record(2));
    const records = await store.records({ employeeId: employee });
    expect(records.map((r) => r.chainSeq)).toEqual([1, 2]);
    expect(await store.verify({ employeeId: employee })).toMatchObject({ ok: true, chains: 1, records: 2 });
  });

  it('keeps a valid chain under concurrent appends for one employee', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(record(i + 1))));
    const records = await store.records({ employeeId: employee });
    expect(records.map((r) => r.chainSeq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await store.verify({ employeeId: employee })).ok).toBe(true);
  });

  it('rejects UPDATE and DELETE', async () => {
    await store.append(record(1));
    await expect(
      store.db.query('UPDATE audit_records SET data = $1 WHERE chain = $2', ['{}', employee]),
    ).rejects.toThrow(/append-only/);
    await expect(store.db.query('DELETE FROM audit_records WHERE chain = $1', [employee])).rejects.toThrow(
      /append-only/,
    );
  });

  it('names an edited record', async () => {
    for (const i of [1, 2, 3]) await store.append(record(i));
    await tamper(
      `UPDATE audit_records SET data = jsonb_set(data, '{eventId}', '"forged"') WHERE chain = $1 AND chain_seq = 2`,
      [employee],
    );
    expect((await store.verify({ employeeId: employee })).problems).toEqual([
      expect.objectContaining({ chainSeq: 2, problem: 'edited' }),
    ]);
  });

  it('names a deleted record', async () => {
    for (const i of [1, 2, 3]) await store.append(record(i));
    await tamper('DELETE FROM audit_records WHERE chain = $1 AND chain_seq = 2', [employee]);
    expect((await store.verify({ employeeId: employee })).problems).toEqual([
      expect.objectContaining({ chainSeq: 2, problem: 'missing' }),
    ]);
  });

  it('detects reordered records', async () => {
    for (const i of [1, 2, 3]) await store.append(record(i));
    await tamper('UPDATE audit_records SET chain_seq = -chain_seq WHERE chain = $1 AND chain_seq IN (2, 3)', [
      employee,
    ]);
    await tamper(
      'UPDATE audit_records SET chain_seq = CASE WHEN chain_seq = -2 THEN 3 ELSE 2 END WHERE chain = $1 AND chain_seq < 0',
      [employee],
    );
    const { problems } = await store.verify({ employeeId: employee });
    expect(problems).toEqual([expect.objectContaining({ chainSeq: 2, problem: 'broken-link' })]);
  });

  it('detects an inserted record', async () => {
    for (const i of [1, 2]) await store.append(record(i));
    await tamper('UPDATE audit_records SET chain_seq = 3 WHERE chain = $1 AND chain_seq = 2', [employee]);
    await tamper(
      `INSERT INTO audit_records (idempotency_key, chain, chain_seq, kind, employee_id, occurred_at, data, prev_hash, hash)
       SELECT 'forged-' || chain, chain, 2, kind, employee_id, occurred_at, '{"kind":"legal-hold-released"}', hash, repeat('f', 64) FROM audit_records WHERE chain = $1 AND chain_seq = 1`,
      [employee],
    );
    // Written without the key: its unkeyed hash is refused after the keyed chain began.
    expect((await store.verify({ employeeId: employee })).problems).toEqual([
      expect.objectContaining({ chainSeq: 2, problem: 'unkeyed' }),
    ]);
  });

  it('group-commits concurrent appends: few transactions, every chain gap-free, repeated keys answered once', async () => {
    const people = Array.from({ length: 10 }, (_, p) => `${employee}-p${p}`);
    const before = { ...store.writeStats };
    const inputs = people.flatMap((id) =>
      Array.from({ length: 10 }, (_, i) => record(i + 1, { key: `${id}#${i + 1}`, employeeId: id })),
    );
    const written = await Promise.all([...inputs, inputs[0]!].map((i) => store.append(i)));
    expect(written[inputs.length]).toEqual(written[0]);
    expect(store.writeStats.records - before.records).toBe(inputs.length + 1);
    expect(store.writeStats.batches - before.batches).toBeLessThan(inputs.length / 4);
    for (const id of people) {
      expect((await store.records({ employeeId: id })).map((r) => r.chainSeq)).toEqual(
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      expect((await store.verify({ employeeId: id })).ok).toBe(true);
    }
  });

  it('fails only the bad record of a batch', async () => {
    const results = await Promise.allSettled([
      store.append(record(1)),
      // jsonb cannot hold U+0000: this record is refused by the database.
      store.append(record(2, { data: { detail: 'nul \u0000 inside' } })),
      store.append(record(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.records({ employeeId: employee })).map((r) => r.key)).toEqual([
      `${employee}#1`,
      `${employee}#3`,
    ]);
    expect((await store.verify({ employeeId: employee })).ok).toBe(true);
  });

  // Two workers on one database: the per-chain advisory lock keeps batches from interleaving.
  (_name === 'PostgreSQL' ? it : it.skip)(
    'keeps chains intact with two stores writing the same chains at once',
    async () => {
      const other = await open();
      try {
        const people = [`${employee}-a`, `${employee}-b`];
        const writes = people.flatMap((id) =>
          Array.from({ length: 20 }, (_, i) => ({
            s: i % 2 ? other : store,
            input: record(i + 1, { key: `${id}#${i + 1}`, employeeId: id }),
          })),
        );
        await Promise.all(writes.map(({ s, input }) => s.append(input)));
        for (const id of people) {
          expect((await store.records({ employeeId: id })).map((r) => r.chainSeq).sort((a, b) => a - b)).toEqual(
            Array.from({ length: 20 }, (_, i) => i + 1),
          );
          expect((await store.verify({ employeeId: id })).ok).toBe(true);
        }
      } finally {
        await other.close();
      }
    },
  );

  it('keeps the account registry with the newest state', async () => {
    await store.upsertAccount({
      employeeId: employee,
      app: 'slack',
      scimId: 'U1',
      state: 'active',
      lastChangeAtMs: 10,
    });
    await store.upsertAccount({ employeeId: employee, app: 'slack', state: 'deactivated', lastChangeAtMs: 20 });
    await store.upsertAccount({ employeeId: employee, app: 'slack', state: 'active', lastChangeAtMs: 15 });
    expect(await store.getAccounts(employee)).toEqual([
      { employeeId: employee, app: 'slack', scimId: 'U1', state: 'deactivated', lastChangeAtMs: 20 },
    ]);
  });

  it('group-commits registry writes with the appends: the newest change wins, the last SCIM id stays, a bad one fails alone', async () => {
    const before = { ...store.writeStats };
    const results = await Promise.allSettled([
      store.append(record(1)),
      store.upsertAccount({ employeeId: employee, app: 'slack', scimId: 'U1', state: 'active', lastChangeAtMs: 10 }),
      store.upsertAccount({ employeeId: employee, app: 'slack', state: 'deactivated', lastChangeAtMs: 20 }),
      store.upsertAccount({ employeeId: employee, app: 'slack', scimId: 'U0', state: 'active', lastChangeAtMs: 15 }),
      store.upsertAccount({ employeeId: employee, app: 'github', scimId: 'G1', state: 'active', lastChangeAtMs: 10 }),
      // text cannot hold U+0000: refused by the database, and only this write fails.
      store.upsertAccount({ employeeId: employee, app: 'jira', state: 'act\u0000ive', lastChangeAtMs: 10 }),
      store.append(record(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await store.getAccounts(employee)).toEqual([
      { employeeId: employee, app: 'github', scimId: 'G1', state: 'active', lastChangeAtMs: 10 },
      { employeeId: employee, app: 'slack', scimId: 'U1', state: 'deactivated', lastChangeAtMs: 20 },
    ]);
    expect((await store.records({ employeeId: employee })).map((r) => r.chainSeq)).toEqual([1, 2]);
    expect((await store.verify({ employeeId: employee })).ok).toBe(true);
    expect(store.writeStats.records - before.records).toBeGreaterThanOrEqual(2);
  });

  it("merges one batch's registry writes as writing them one by one would", () => {
    const e = { employeeId: 'E1', app: 'slack' };
    expect(
      mergeAccountWrites([
        { ...e, scimId: 'U1', state: 'active', lastChangeAtMs: 10 },
        { ...e, state: 'deactivated', lastChangeAtMs: 20 },
        { ...e, scimId: 'U0', state: 'active', lastChangeAtMs: 15 },
        { ...e, app: 'github', state: 'active', lastChangeAtMs: 5 },
        { ...e, state: 'deleted', lastChangeAtMs: 20 },
      ]),
    ).toEqual([
      { ...e, scimId: 'U1', state: 'deleted', lastChangeAtMs: 20 },
      { ...e, app: 'github', state: 'active', lastChangeAtMs: 5 },
    ]);
  });

  // The worker's database user holds jml_audit_writer: PostgreSQL itself refuses it any change
  // to history, whatever the triggers. (PGlite has one user; the triggers guard there.)
  (_name === 'PostgreSQL' ? it : it.skip)(
    'gives the writer role INSERT but not UPDATE, DELETE or TRUNCATE',
    async () => {
      await store.append(record(1));
      const asWriter = (sql: string) =>
        store.db.transaction(async (tx) => {
          await tx.query('SET LOCAL ROLE jml_audit_writer');
          return tx.query(sql);
        });
      const { rows } = await asWriter(
        `SELECT has_table_privilege('audit_records', 'INSERT') AS ins, has_table_privilege('audit_records', 'UPDATE') AS upd, has_table_privilege('audit_records', 'DELETE') AS del, has_table_privilege('audit_records', 'TRUNCATE') AS trunc`,
      );
      expect(rows[0]).toEqual({ ins: true, upd: false, del: false, trunc: false });
      await expect(asWriter(`UPDATE audit_records SET data = '{}' WHERE chain = '${employee}'`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(asWriter(`DELETE FROM audit_records WHERE chain = '${employee}'`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(asWriter('TRUNCATE audit_records')).rejects.toThrow(/permission denied/);
    },
  );
});

describe('audit store on PGlite', () => {
  // Every message to PGlite's thread is a post and a reply on both threads: under load that was
  // most of a small batch's main-thread time.
  it('writes a batch of records and registry writes in two messages to its thread', async () => {
    const store = await auditTargets[0]![1]();
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    try {
      const employeeId = `E-${Date.now()}-pglite`;
      const before = { ...store.writeStats };
      posted.mockClear();
      await Promise.all([
        store.append({ key: `${employeeId}#1`, kind: 'milestone', employeeId, occurredAtMs: 1, data: { i: 1 } }),
        store.upsertAccount({ employeeId, app: 'slack', scimId: 'U1', state: 'active', lastChangeAtMs: 10 }),
        store.append({ key: `${employeeId}#2`, kind: 'milestone', employeeId, occurredAtMs: 2, data: { i: 2 } }),
      ]);
      expect(store.writeStats.batches - before.batches).toBe(1);
      // BEGIN with the read (which carries the registry upsert), COMMIT with the insert.
      expect(posted).toHaveBeenCalledTimes(2);
      expect(await store.getAccounts(employeeId)).toEqual([
        { employeeId, app: 'slack', scimId: 'U1', state: 'active', lastChangeAtMs: 10 },
      ]);
      expect((await store.records({ employeeId })).map((r) => r.chainSeq)).toEqual([1, 2]);
      expect((await store.verify({ employeeId })).ok).toBe(true);
    } finally {
      posted.mockRestore();
      await store.close();
    }
  });
});
