/** What each observation adds to the process registry (deltas: the registry is per process). */
import {
  observeHrEvent,
  observeMilestones,
  observeScimRequest,
  observeSlaBreach,
  registry,
} from '../../../lib/metrics';
import type { TimelineEntry } from '../../../lib/lifecycle/types';

async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  // Histograms list buckets, sum and count: count observations by `_count`.
  return (values as { metricName?: string; labels: object; value: number }[])
    .filter((v) => v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`)
    .filter((v) =>
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

const SLA = { joiner: 3_600_000, leaver: 900_000 };

test('a completed run with a failed app counts as failed, its duration from effective time to done', async () => {
  const before = await sample('jml_lifecycle_runs_total', { lifecycle: 'leaver', outcome: 'failed' });
  const durations = await sample('jml_lifecycle_duration_seconds', { lifecycle: 'leaver' });
  const effectiveAtMs = Date.parse('2026-11-30T10:00:00Z');
  const entries: TimelineEntry[] = [
    { atMs: effectiveAtMs + 1_000, kind: 'lifecycle-started', eventId: 'e1', lifecycle: 'leaver' },
    // 20 minutes after the effective time, past the 15-minute SLA.
    {
      atMs: effectiveAtMs + 1_200_000,
      kind: 'lifecycle-completed',
      eventId: 'e1',
      lifecycle: 'leaver',
      detail: '2 ok, 1 failed',
      slaDeadlineMs: effectiveAtMs + SLA.leaver,
      slaBreached: true,
    },
  ];
  observeMilestones(entries, SLA);
  expect(await sample('jml_lifecycle_runs_total', { lifecycle: 'leaver', outcome: 'failed' })).toBe(before + 1);
  expect(await sample('jml_lifecycle_duration_seconds', { lifecycle: 'leaver' })).toBe(durations + 1);
  const text = await registry.getSingleMetricAsString('jml_lifecycle_duration_seconds');
  // 1200 s lands above the 900 s bucket and inside the 1800 s one.
  expect(text).toMatch(/jml_lifecycle_duration_seconds_bucket\{le="900",lifecycle="leaver"\} 0/);
  expect(text).toMatch(/jml_lifecycle_duration_seconds_bucket\{le="1800",lifecycle="leaver"\} 1/);
});

test('"0 failed" is a success, a run failed as a whole is a failure, "no access change" is not a run', async () => {
  const ok = await sample('jml_lifecycle_runs_total', { lifecycle: 'joiner', outcome: 'succeeded' });
  const failed = await sample('jml_lifecycle_runs_total', { lifecycle: 'joiner', outcome: 'failed' });
  const all = await sample('jml_lifecycle_runs_total', {});
  observeMilestones(
    [
      {
        atMs: 1,
        kind: 'lifecycle-completed',
        lifecycle: 'joiner',
        detail: '3 ok, 0 failed',
        slaDeadlineMs: SLA.joiner,
      },
    ],
    SLA,
  );
  observeMilestones([{ atMs: 2, kind: 'lifecycle-failed', lifecycle: 'joiner', detail: 'planning failed' }], SLA);
  observeMilestones([{ atMs: 3, kind: 'lifecycle-completed', detail: 'no access change' }], SLA);
  expect(await sample('jml_lifecycle_runs_total', { lifecycle: 'joiner', outcome: 'succeeded' })).toBe(ok + 1);
  expect(await sample('jml_lifecycle_runs_total', { lifecycle: 'joiner', outcome: 'failed' })).toBe(failed + 1);
  expect(await sample('jml_lifecycle_runs_total', {})).toBe(all + 2);
});

test('workflow verdicts on HR events, SLA breaches and intake verdicts', async () => {
  const stale = await sample('jml_hr_events_total', { stage: 'workflow', verdict: 'stale' });
  const dup = await sample('jml_hr_events_total', { stage: 'workflow', verdict: 'duplicate' });
  const invalid = await sample('jml_hr_events_total', { stage: 'intake', verdict: 'invalid' });
  const breaches = await sample('jml_sla_breaches_total', { lifecycle: 'leaver' });
  observeMilestones(
    [
      { atMs: 1, kind: 'event-stale', eventId: 'a' },
      { atMs: 2, kind: 'event-duplicate', eventId: 'b' },
    ],
    SLA,
  );
  observeHrEvent('invalid');
  observeSlaBreach('leaver');
  expect(await sample('jml_hr_events_total', { stage: 'workflow', verdict: 'stale' })).toBe(stale + 1);
  expect(await sample('jml_hr_events_total', { stage: 'workflow', verdict: 'duplicate' })).toBe(dup + 1);
  expect(await sample('jml_hr_events_total', { stage: 'intake', verdict: 'invalid' })).toBe(invalid + 1);
  expect(await sample('jml_sla_breaches_total', { lifecycle: 'leaver' })).toBe(breaches + 1);
});

test('SCIM requests: status, timeout/network without an answer, and 429s', async () => {
  const limited = await sample('jml_scim_rate_limited_total', { app: 'slack' });
  const timeouts = await sample('jml_scim_requests_total', { app: 'slack', status: 'timeout' });
  const network = await sample('jml_scim_requests_total', { app: 'slack', status: 'network' });
  observeScimRequest({ app: 'slack', operation: 'create-user', status: 429, latencyMs: 12 });
  observeScimRequest({ app: 'slack', operation: 'create-user', latencyMs: 30_000, errorCode: 'SCIM_TIMEOUT' });
  observeScimRequest({ app: 'slack', operation: 'create-user', latencyMs: 3, errorCode: 'SCIM_NETWORK' });
  expect(await sample('jml_scim_rate_limited_total', { app: 'slack' })).toBe(limited + 1);
  expect(await sample('jml_scim_requests_total', { app: 'slack', status: 'timeout' })).toBe(timeouts + 1);
  expect(await sample('jml_scim_requests_total', { app: 'slack', status: 'network' })).toBe(network + 1);
});
