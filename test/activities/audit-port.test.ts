/**
 * Milestones with text the database cannot store (an HR `initiator` holding U+0000, an unpaired
 * surrogate) are still written — with U+FFFD in their place and a note saying which fields —
 * instead of failing, and with them every later milestone of that person, for good.
 */
import { createAuditPort, storable } from '../../activities/audit';
import type { AuditStore } from '../../lib/audit';
import type { TimelineEntry } from '../../lib/lifecycle/types';
import { auditTargets, uniqueEmployeeId } from '../helpers/audit-targets';

jest.setTimeout(60_000);

describe.each(auditTargets)('milestones with unstorable text on %s', (_name, open) => {
  let store: AuditStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('the store refuses the raw text (the case this guards against)', async () => {
    const employeeId = uniqueEmployeeId('NUL0');
    await expect(
      store.append({
        key: `${employeeId}#raw`,
        kind: 'milestone',
        employeeId,
        occurredAtMs: 1,
        data: { initiator: 'hr\u0000bot' },
      }),
    ).rejects.toThrow();
  });

  it('writes the milestone with the characters replaced and says which fields changed', async () => {
    const employeeId = uniqueEmployeeId('NUL1');
    const port = createAuditPort(store, () => undefined);
    const entry: TimelineEntry = {
      atMs: 5,
      kind: 'event-received',
      eventId: 'h1',
      eventType: 'hire',
      initiator: 'hr\u0000bot',
      detail: 'lone \ud800 surrogate',
    };
    const next: TimelineEntry = { atMs: 6, kind: 'lifecycle-started', eventId: 'h1', lifecycle: 'joiner' };
    await port.recordMilestones({
      employeeId,
      workflowId: `employee-${employeeId}`,
      runId: 'r1',
      entries: [
        { key: `${employeeId}#0`, entry },
        { key: `${employeeId}#1`, entry: next },
      ],
    });
    const records = await store.records({ employeeId });
    expect(records.map((r) => r.data)).toEqual([
      {
        ...entry,
        initiator: 'hr\ufffdbot',
        detail: 'lone \ufffd surrogate',
        unstorableCharactersReplaced: ['initiator', 'detail'],
      },
      next,
    ]);
  });
});

describe('storable', () => {
  it('leaves clean data as it is and keeps valid surrogate pairs', () => {
    const data = { detail: 'emoji 😀 ok', nested: { list: ['a'] } };
    expect(storable(data)).toBe(data);
  });

  it('cleans nested values and names their paths', () => {
    expect(storable({ a: { b: ['x\u0000'] }, c: '\udc00' })).toEqual({
      a: { b: ['x\ufffd'] },
      c: '\ufffd',
      unstorableCharactersReplaced: ['a.b[0]', 'c'],
    });
  });
});
