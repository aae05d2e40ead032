/**
 * The group commit's linger, on PGlite always and on PostgreSQL when a test database is given:
 * an isolated write is written at once, steady writes gather into batches, an urgent write is
 * never held, a failed batch falls back record by record, and a write is acknowledged only
 * once its transaction has committed. Nothing here measures speed: the linger is set far above
 * the test timeout where a write that waited for it would fail the test.
 */
import { AuditStore, type AppendInput, type GroupCommitOptions } from '../../../lib/audit';
import { TEST_AUDIT_KEY, TEST_DATABASE_URL, uniqueEmployeeId } from '../../helpers/audit-targets';

const targets: [string, (groupCommit: GroupCommitOptions) => Promise<AuditStore>][] = [
  ['PGlite', (groupCommit) => AuditStore.open({ key: TEST_AUDIT_KEY, groupCommit })],
];
if (TEST_DATABASE_URL) {
  targets.push([
    'PostgreSQL',
    (groupCommit) => AuditStore.open({ databaseUrl: TEST_DATABASE_URL, key: TEST_AUDIT_KEY, groupCommit }),
  ]);
}

/** Longer than the test timeout (60 s): a write held for the whole linger fails its test. */
const FOREVER_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A write whose rejection is looked at later (after the loop that hands writes over). */
const later = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined);
  return p;
};

describe.each(targets)('group commit on %s', (_name, open) => {
  let employee: string;
  const opened: AuditStore[] = [];
  const store = async (groupCommit: GroupCommitOptions) => {
    const s = await open(groupCommit);
    opened.push(s);
    return s;
  };
  beforeEach(() => {
    employee = uniqueEmployeeId('GC');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  const record = (i: number, extra: Partial<AppendInput> = {}): AppendInput => ({
    key: `${employee}#${i}`,
    kind: 'scim-request',
    employeeId: employee,
    workflowId: `employee-${employee}`,
    runId: 'run-1',
    occurredAtMs: Date.parse('2026-11-20T10:00:00Z') + i,
    data: { method: 'POST', path: '/Users', status: 201, n: i },
    ...extra,
  });

  /**
   * Appends `count` records one every `everyMs` (a steady stream, as SCIM responses arrive);
   * resolves once all are handed over, with their (possibly still pending) results.
   */
  async function stream(s: AuditStore, count: number, everyMs: number, from = 1) {
    const writes: Promise<unknown>[] = [];
    for (let i = from; i < from + count; i++) {
      writes.push(later(s.append(record(i))));
      await sleep(everyMs);
    }
    return writes;
  }
  const steady = async (s: AuditStore, count: number, everyMs: number) =>
    Promise.allSettled(await stream(s, count, everyMs));

  /**
   * A steady stream, one write every `everyMs`, that stops as soon as the store holds a batch
   * for its linger: the linger engages only once the smoothed gap between writes has decayed
   * and a batch finds only steady writes queued, and how many writes that takes depends on how
   * long the store's transactions take (not a figure a test should assume). With a linger longer
   * than the test timeout the held batch then stays held until something ends it. Resolves with
   * the writes handed over (the last ones still pending).
   */
  async function streamUntilLingering(s: AuditStore, everyMs: number, from = 1) {
    const writes: Promise<unknown>[] = [];
    for (let i = from; s.writeStats.lingered === 0; i++) {
      if (i - from >= 1000) throw new Error('the linger never engaged in 1,000 steady writes');
      writes.push(later(s.append(record(i))));
      await sleep(everyMs);
    }
    return writes;
  }

  /** Whether each promise has settled, looked at synchronously later. */
  const settledFlags = (ps: Promise<unknown>[]) => {
    const flags = ps.map(() => false);
    ps.forEach((p, i) => void p.finally(() => (flags[i] = true)).catch(() => undefined));
    return flags;
  };

  it('writes an isolated write at once, without waiting for the linger', async () => {
    const s = await store({ maxLingerMs: FOREVER_MS });
    const written = await s.append(record(1));
    expect(written).toMatchObject({ chainSeq: 1, key: `${employee}#1` });
    await s.upsertAccount({ employeeId: employee, app: 'slack', scimId: 'U1', state: 'active', lastChangeAtMs: 1 });
    expect(s.writeStats).toMatchObject({ records: 1, accounts: 1, batches: 2, lingered: 0 });
  });

  it('gathers steady writes into batches, keeps every chain gap-free and acknowledges each after its commit', async () => {
    const s = await store({ maxLingerMs: 200 });
    const results = await steady(s, 60, 2);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(s.writeStats.records).toBe(60);
    expect(s.writeStats.lingered).toBeGreaterThan(0);
    // The first writes find no steady rate yet and go one by one; then batches form.
    expect(s.writeStats.batches).toBeLessThanOrEqual(30);
    // Every acknowledged record is there, read back by another connection on PostgreSQL.
    const records = await s.records({ employeeId: employee });
    expect(records.map((r) => r.chainSeq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await s.verify({ employeeId: employee })).toMatchObject({ ok: true, records: 60 });
  });

  it('returns each record as stored, and a repeated key in a later batch the stored record', async () => {
    const s = await store({ maxLingerMs: 0 });
    const data = { method: 'PATCH', nested: { z: 1, a: [1, { b: 'x' }] }, dropped: undefined, unicode: 'é\u2028' };
    const first = await Promise.all([1, 2, 3].map((i) => s.append(record(i, { data }))));
    const stored = await s.records({ employeeId: employee });
    expect(first).toEqual(stored);
    expect(first.every((r) => r.seq > 0 && r.recordedAtMs !== undefined)).toBe(true);
    const again = await Promise.all([
      ...[1, 2, 3].map((i) => s.append(record(i, { data: { different: true } }))),
      s.append(record(4)),
    ]);
    expect(again.slice(0, 3)).toEqual(first);
    expect(again[3]).toMatchObject({ chainSeq: 4 });
    expect(await s.verify({ employeeId: employee })).toMatchObject({ ok: true, records: 4 });
  });

  it('appends a list in order in one transaction; a failed record stops the rest unwritten, and a retry keeps the order', async () => {
    const s = await store({ maxLingerMs: 0 });
    const written = await s.appendAll([1, 2, 3].map((i) => record(i)));
    expect(written.map((r) => r.chainSeq)).toEqual([1, 2, 3]);
    expect(s.writeStats.batches).toBe(1);
    const bad = record(5, { data: { detail: 'nul \u0000 inside' } });
    await expect(s.appendAll([record(4), bad, record(6), record(7)])).rejects.toThrow(/Unicode|\\u0000|escape/);
    // 4 was written, 5 refused by the database, 6 and 7 not attempted.
    expect((await s.records({ employeeId: employee })).map((r) => r.key.split('#')[1])).toEqual(['1', '2', '3', '4']);
    const retried = await s.appendAll([record(4), record(5), record(6), record(7)]);
    expect(retried.map((r) => r.chainSeq)).toEqual([4, 5, 6, 7]);
    expect(await s.verify({ employeeId: employee })).toMatchObject({ ok: true, records: 7 });
  });

  it('without a linger, writes every batch at once (the old behaviour)', async () => {
    const s = await store({ maxLingerMs: 0 });
    await steady(s, 10, 2);
    expect(s.writeStats).toMatchObject({ records: 10, lingered: 0 });
    expect((await s.verify({ employeeId: employee })).ok).toBe(true);
  });

  it('never holds an urgent write, and takes the held ones with it', async () => {
    const s = await store({ maxLingerMs: FOREVER_MS });
    // A steady stream until the store lingers: it then holds the last writes for up to 120 s.
    const held = await streamUntilLingering(s, 1);
    const settled = settledFlags(held);
    await sleep(20);
    expect(settled.some((done) => !done)).toBe(true);
    const revocation = record(100, { kind: 'scim-request', data: { method: 'PATCH', active: false } });
    const [urgent] = await Promise.all([
      s.append(revocation, { urgent: true }),
      s.upsertAccount(
        { employeeId: employee, app: 'slack', scimId: 'U1', state: 'deactivated', lastChangeAtMs: 2 },
        { urgent: true },
      ),
    ]);
    expect(urgent.key).toBe(revocation.key);
    // The held ones went with the urgent writes: none waits out the linger.
    await Promise.all(held);
    expect(s.writeStats.lingered).toBeGreaterThan(0);
    expect(await s.getAccounts(employee)).toEqual([expect.objectContaining({ state: 'deactivated' })]);
    expect((await s.verify({ employeeId: employee })).ok).toBe(true);
  });

  it('writes a full batch at once, whatever the linger', async () => {
    const s = await store({ maxLingerMs: FOREVER_MS, flushAt: 8 });
    // Warm the arrival rate up (the last writes are then held), then enough to fill the batch.
    await s.append(record(1000)); // connected (PostgreSQL): the stream's writes are not all queued behind that
    const warm = await streamUntilLingering(s, 1);
    const burst = Array.from({ length: 16 }, (_, i) => s.append(record(5000 + i)));
    await Promise.all([...warm, ...burst]);
    expect(s.writeStats.lingered).toBeGreaterThan(0);
    expect(s.writeStats.records).toBe(1 + warm.length + 16);
    expect((await s.verify({ employeeId: employee })).ok).toBe(true);
  });

  it('falls back record by record when a lingered batch fails: only the bad record is refused', async () => {
    const s = await store({ maxLingerMs: FOREVER_MS, flushAt: 8 });
    // The store holds a batch; the bad record and seven more then fill it, so it is written
    // (it never times out: the linger outlasts the test) and fails as a whole.
    const writes = await streamUntilLingering(s, 2);
    const bad = writes.length + 1;
    for (let i = bad; i < bad + 8; i++) {
      // jsonb cannot hold U+0000: this record alone is refused by the database.
      writes.push(later(s.append(i === bad ? record(i, { data: { detail: 'nul \u0000 inside' } }) : record(i))));
    }
    const results = await Promise.allSettled(writes);
    expect(results.map((r, i) => [i + 1, r.status]).filter(([, st]) => st === 'rejected')).toEqual([[bad, 'rejected']]);
    expect(s.writeStats.lingered).toBeGreaterThan(0);
    const records = await s.records({ employeeId: employee });
    expect(records).toHaveLength(writes.length - 1);
    expect(records.map((r) => r.key)).not.toContain(`${employee}#${bad}`);
    expect((await s.verify({ employeeId: employee })).ok).toBe(true);
  });

  it('acknowledges a write only after its transaction committed: a record refused at COMMIT is rejected and absent', async () => {
    const s = await store({ maxLingerMs: 200 });
    const marker = `${employee}-refused-at-commit`;
    const fn = `gc_refuse_${employee.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
    // A deferred constraint trigger runs at COMMIT: the batch's statements all succeed first.
    await s.db.exec(`
      CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.idempotency_key = '${marker}' THEN RAISE EXCEPTION 'refused at commit'; END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER ${fn} AFTER INSERT ON audit_records DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ${fn}();`);
    try {
      const writes: Promise<unknown>[] = [];
      for (let i = 1; i <= 20; i++) {
        writes.push(later(s.append(i === 10 ? record(i, { key: marker }) : record(i))));
        await sleep(2);
      }
      const results = await Promise.allSettled(writes);
      expect(results[9]).toMatchObject({
        status: 'rejected',
        reason: expect.objectContaining({ message: expect.stringMatching(/refused at commit/) }),
      });
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(19);
      const records = await s.records({ employeeId: employee });
      expect(records.map((r) => r.key)).not.toContain(marker);
      expect(records).toHaveLength(19);
      expect((await s.verify({ employeeId: employee })).ok).toBe(true);
    } finally {
      await s.db.exec(`DROP TRIGGER ${fn} ON audit_records; DROP FUNCTION ${fn}();`);
    }
  });

  it('writes held records before it closes', async () => {
    const s = await open({ maxLingerMs: FOREVER_MS });
    const held = await streamUntilLingering(s, 1);
    const settled = settledFlags(held);
    await sleep(20);
    const before = { ...s.writeStats };
    expect(settled.some((done) => !done)).toBe(true);
    await s.close();
    expect((await Promise.allSettled(held)).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(before.lingered).toBeGreaterThan(0);
    expect(s.writeStats.records).toBe(held.length);
  });
});

describe('JML_AUDIT_MAX_LINGER_MS', () => {
  const saved = process.env.JML_AUDIT_MAX_LINGER_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.JML_AUDIT_MAX_LINGER_MS;
    else process.env.JML_AUDIT_MAX_LINGER_MS = saved;
  });

  it.each(['abc', '-5', '5000'])(
    'refuses %s, naming the variable and the range, before opening anything',
    async (v) => {
      process.env.JML_AUDIT_MAX_LINGER_MS = v;
      await expect(AuditStore.open({ key: TEST_AUDIT_KEY })).rejects.toThrow(
        /JML_AUDIT_MAX_LINGER_MS must be a number of milliseconds from 0 to 1000/,
      );
    },
  );
});
