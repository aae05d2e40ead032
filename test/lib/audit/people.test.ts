/**
 * The people directory (name, department, HR status) on PGlite always and on PostgreSQL when
 * JML_TEST_DATABASE_URL is set: newest fields win, search by name, id or department, paging
 * with a total, people known only from their audit records, and (PostgreSQL) what the writer
 * role may do with it.
 */
import type { AuditStore } from '../../../lib/audit';
import { upsertPerson } from '../../../lib/audit/people';
import { auditTargets, uniqueEmployeeId } from '../../helpers/audit-targets';

jest.setTimeout(60_000);

describe.each(auditTargets)('people directory on %s', (name, open) => {
  let store: AuditStore;
  // A token unique to this run: a PostgreSQL test database keeps earlier runs' people.
  const tag = uniqueEmployeeId('ppl').replace(/[^a-z0-9]/gi, '');

  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps the newest display fields: an older write never overwrites a newer one', async () => {
    const employeeId = uniqueEmployeeId('P1');
    await store.upsertPerson({
      employeeId,
      displayName: `Ada ${tag}`,
      department: 'Engineering',
      status: 'active',
      asOfMs: 2_000,
    });
    await store.upsertPerson({
      employeeId,
      displayName: `Ada ${tag}`,
      department: 'Marketing',
      status: 'active',
      asOfMs: 3_000,
    });
    // A retried hand-off from before the move arrives late.
    await store.upsertPerson({
      employeeId,
      displayName: `Ada ${tag}`,
      department: 'Engineering',
      status: 'active',
      asOfMs: 2_500,
    });
    expect(await store.person(employeeId)).toEqual({
      employeeId,
      displayName: `Ada ${tag}`,
      department: 'Marketing',
      status: 'active',
    });
    await store.upsertPerson({ employeeId, displayName: `Ada ${tag}`, status: 'terminated', asOfMs: 4_000 });
    expect(await store.person(employeeId)).toEqual({ employeeId, displayName: `Ada ${tag}`, status: 'terminated' });
    expect(await store.person(uniqueEmployeeId('nobody'))).toBeUndefined();
  });

  it('searches by name, id and department, case-insensitively, ordered by name, and pages with a total', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const employeeId = uniqueEmployeeId(`S${i}`);
      ids.push(employeeId);
      await store.upsertPerson({
        employeeId,
        displayName: `${String.fromCharCode(71 - i)}race Hopper${tag}`,
        department: i % 2 ? `Dept${tag}Odd` : `Dept${tag}Even`,
        status: 'active',
        asOfMs: 1_000,
      });
    }
    const byName = await store.people({ q: `HOPPER${tag.toUpperCase()}`, limit: 3 });
    expect(byName.total).toBe(7);
    // A(race) … G(race): i = 6 first.
    expect(byName.people.map((p) => p.employeeId)).toEqual([ids[6], ids[5], ids[4]]);
    const page3 = await store.people({ q: `hopper${tag}`, limit: 3, offset: 6 });
    expect(page3).toEqual({ total: 7, people: [expect.objectContaining({ employeeId: ids[0] })] });
    const pastTheEnd = await store.people({ q: `hopper${tag}`, limit: 3, offset: 30 });
    expect(pastTheEnd).toEqual({ total: 7, people: [] });

    const byDepartment = await store.people({ q: `dept${tag}odd` });
    expect(byDepartment.people.map((p) => p.employeeId).sort()).toEqual([ids[1], ids[3], ids[5]].sort());
    const byId = await store.people({ q: ids[2]!.toLowerCase() });
    expect(byId.people).toEqual([
      { employeeId: ids[2], displayName: `Erace Hopper${tag}`, department: `Dept${tag}Even`, status: 'active' },
    ]);
  });

  it('lists people known only from their audit records, and not reconciliation chains; LIKE wildcards match themselves', async () => {
    const employeeId = uniqueEmployeeId(`R${tag}`);
    await store.append({
      key: `${employeeId}#0`,
      kind: 'milestone',
      employeeId,
      occurredAtMs: Date.now(),
      data: { atMs: Date.now(), kind: 'event-received' },
    });
    await store.append({
      key: `reconcile-${tag}#0`,
      kind: 'reconciliation',
      employeeId: `reconcile-${tag}`,
      occurredAtMs: Date.now(),
      data: { round: 1 },
    });
    const found = await store.people({ q: tag });
    expect(found.people.map((p) => p.employeeId)).toContain(employeeId);
    expect(found.people.find((p) => p.employeeId === employeeId)).toEqual({ employeeId });
    expect(found.people.map((p) => p.employeeId)).not.toContain(`reconcile-${tag}`);
    expect((await store.people({ q: '%' })).total).toBe(0);
  });

  (name === 'PostgreSQL' ? it : it.skip)(
    'lets the writer role read, insert and update the directory, not delete it',
    async () => {
      const asWriter = (sql: string) =>
        store.db.transaction(async (tx) => {
          await tx.query('SET LOCAL ROLE jml_audit_writer');
          return tx.query(sql);
        });
      const { rows } = await asWriter(
        `SELECT has_table_privilege('people', 'SELECT') AS sel, has_table_privilege('people', 'INSERT') AS ins, has_table_privilege('people', 'UPDATE') AS upd, has_table_privilege('people', 'DELETE') AS del, has_table_privilege('people', 'TRUNCATE') AS trunc`,
      );
      expect(rows[0]).toEqual({ sel: true, ins: true, upd: true, del: false, trunc: false });
      // The worker's upsert (newest wins) works as the writer role.
      const employeeId = uniqueEmployeeId('W1');
      for (const [department, asOfMs] of [
        ['Sales', 1_000],
        ['Legal', 2_000],
      ] as const) {
        await store.db.transaction(async (tx) => {
          await tx.query('SET LOCAL ROLE jml_audit_writer');
          await upsertPerson(tx, { employeeId, displayName: 'Writer Role', department, asOfMs });
        });
      }
      expect((await store.person(employeeId))?.department).toBe('Legal');
      await expect(asWriter('DELETE FROM people')).rejects.toThrow(/permission denied/);
      await expect(asWriter('ALTER TABLE people ADD COLUMN x text')).rejects.toThrow(/must be owner|permission denied/);
    },
  );
});
