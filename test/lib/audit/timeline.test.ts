import { buildLeaverTimeline, renderTable, type AuditRecord } from '../../../lib/audit';

let seq = 0;
const milestone = (data: Record<string, unknown>): AuditRecord => ({
  seq: ++seq,
  chainSeq: seq,
  key: `k${seq}`,
  kind: 'milestone',
  employeeId: 'E1',
  workflowId: 'employee-E1',
  runId: 'r1',
  occurredAtMs: Number(data.atMs),
  data,
  hash: 'h',
});

describe('leaver timeline: why there was no deletion, and terminations not applied', () => {
  const records = [
    milestone({ atMs: 1000, kind: 'event-received', eventId: 'T1', eventType: 'terminate', effectiveAtMs: 900 }),
    milestone({
      atMs: 1002,
      kind: 'app-succeeded',
      eventId: 'T1',
      lifecycle: 'leaver',
      app: 'github',
      action: 'deactivated',
    }),
    milestone({
      atMs: 1002,
      kind: 'app-succeeded',
      eventId: 'T1',
      lifecycle: 'leaver',
      app: 'slack',
      action: 'deactivated',
    }),
    milestone({
      atMs: 1003,
      kind: 'deletion-scheduled',
      eventId: 'T1',
      lifecycle: 'leaver',
      app: 'github',
      dueAtMs: 5000,
      detail: 'delete at …',
    }),
    milestone({
      atMs: 1003,
      kind: 'deletion-scheduled',
      eventId: 'T1',
      lifecycle: 'leaver',
      app: 'slack',
      dueAtMs: 5000,
      detail: 'delete at …',
    }),
    milestone({ atMs: 1004, kind: 'legal-hold-placed', detail: 'case LIT-1' }),
    milestone({ atMs: 1004, kind: 'deletion-held', eventId: 'T1', app: 'slack', detail: 'held: case LIT-1' }),
    milestone({ atMs: 1006, kind: 'event-received', eventId: 'R1', eventType: 'rehire' }),
    milestone({
      atMs: 1006,
      kind: 'deletion-cancelled',
      eventId: 'T1',
      app: 'github',
      detail: 'cancelled by re-hire R1 (deletion was due …)',
    }),
    milestone({
      atMs: 1007,
      kind: 'event-stale',
      eventId: 'T0',
      eventType: 'terminate',
      detail: 'event T0 is older than the last accepted change',
    }),
    milestone({ atMs: 1008, kind: 'event-stale', eventId: 'H0', eventType: 'hire', detail: 'older' }),
  ];
  const tl = buildLeaverTimeline('E1', records);

  it('puts the reason on the termination the deletion belonged to', () => {
    const apps = Object.fromEntries(tl.terminations[0]!.apps.map((a) => [a.app, a.deletionNote]));
    expect(apps).toEqual({ github: 'cancelled by re-hire R1 (deletion was due …)', slack: 'held: case LIT-1' });
  });

  it('lists terminations judged duplicate, stale or invalid, and only terminations', () => {
    expect(tl.rejectedTerminations).toEqual([
      { eventId: 'T0', verdict: 'stale', reason: 'event T0 is older than the last accepted change', atMs: 1007 },
    ]);
    expect(renderTable(tl)).toContain(
      'Termination T0 judged stale at 1970-01-01T00:00:01.007Z: event T0 is older than the last accepted change',
    );
  });
});
