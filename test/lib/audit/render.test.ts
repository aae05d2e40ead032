import {
  buildLeaverTimeline,
  csvCell,
  escapeHtml,
  renderCsv,
  renderHtml,
  renderTable,
  type AuditRecord,
} from '../../../lib/audit';
import { lifecycleRuns } from '../../../workers/api/console/runs';

let seq = 0;
const milestone = (data: Record<string, unknown>): AuditRecord => ({
  seq: ++seq,
  chainSeq: seq,
  key: `k${seq}`,
  kind: 'milestone',
  employeeId: 'E<1>',
  workflowId: 'employee-E<1>',
  runId: 'r1',
  occurredAtMs: Number(data.atMs),
  data,
  hash: 'h',
});

const records = [
  milestone({
    atMs: 1000,
    kind: 'event-received',
    eventId: 'T1',
    eventType: 'terminate',
    effectiveAtMs: 900,
    initiator: '=HYPERLINK("x")',
  }),
  milestone({ atMs: 1001, kind: 'lifecycle-started', eventId: 'T1', lifecycle: 'leaver' }),
  milestone({
    atMs: 1002,
    kind: 'app-succeeded',
    eventId: 'T1',
    lifecycle: 'leaver',
    app: 'slack',
    action: 'deactivated',
    scimId: 'U1',
  }),
  milestone({
    atMs: 1003,
    kind: 'app-failed',
    eventId: 'T1',
    lifecycle: 'leaver',
    app: 'github',
    detail: 'SCIM_FORBIDDEN: <b>403</b>, "no"',
  }),
  milestone({
    atMs: 1004,
    kind: 'lifecycle-completed',
    eventId: 'T1',
    lifecycle: 'leaver',
    slaDeadlineMs: 901000,
    slaBreached: false,
  }),
  milestone({ atMs: 1005, kind: 'legal-hold-placed', detail: 'case C-1: litigation' }),
];

describe('leaver timeline renderers', () => {
  const tl = buildLeaverTimeline('E<1>', records);

  it('quotes CSV cells and neutralises formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('\t=1+1')).toBe("'\t=1+1");
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
    const csv = renderCsv([tl], ['chain verification: OK']);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('"SCIM_FORBIDDEN: <b>403</b>, ""no"""');
    expect(csv.trimEnd().split('\n').at(-1)).toBe('# chain verification: OK');
  });

  it('escapes everything in HTML', () => {
    const html = renderHtml(tl);
    expect(html).toContain('Leaver timeline for E&lt;1&gt;');
    expect(html).toContain('FAILED: SCIM_FORBIDDEN: &lt;b&gt;403&lt;/b&gt;, &quot;no&quot;');
    expect(html).not.toContain('<b>403</b>');
    expect(escapeHtml(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });

  it('prints a table with the SLA verdict and holds', () => {
    const table = renderTable(tl);
    expect(table).toContain('SLA deadline   1970-01-01T00:15:01.000Z  → MET');
    expect(table).toContain('Legal hold C-1: placed');
  });
});

describe('console runs', () => {
  it('folds milestones into runs with SLA badges; a run with a failed app is never "met"', () => {
    // The fixture's leaver finished within its SLA, but GitHub failed: the badge says so.
    expect(lifecycleRuns([...records].reverse())).toEqual([
      expect.objectContaining({
        employeeId: 'E<1>',
        eventId: 'T1',
        lifecycle: 'leaver',
        sla: 'failed',
        failedApps: ['github'],
        startedAtMs: 1001,
        completedAtMs: 1004,
      }),
    ]);
  });
});
