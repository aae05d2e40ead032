/**
 * `npm run test:faults -- [--employees 200] [--fault-rate 0.2] [--deadline-min 15]`: the long
 * form of the fault campaign. Prints progress and the report (also written to
 * test-artifacts/faults-<time>.json) and exits 1 when any check fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../../bench/processes';
import { runCampaign } from './campaign';
import { ALERTED_REMOVAL } from './checks';
import { failures } from './verdict-text';

const { values } = parseArgs({
  options: {
    employees: { type: 'string', default: '200' },
    'fault-rate': { type: 'string', default: '0.2' },
    'deadline-min': { type: 'string', default: '15' },
  },
});

async function main(): Promise<void> {
  const report = await runCampaign({
    employees: Number(values.employees),
    faultRate: Number(values['fault-rate']),
    deadlineMs: Number(values['deadline-min']) * 60_000,
    databaseUrl: process.env.JML_TEST_DATABASE_URL || process.env.DATABASE_URL || undefined,
    progress: (line) => console.log(line),
  });
  const faults = Object.entries(report.faultsInjected).map(
    ([app, kinds]) =>
      `${app}: ${Object.entries(kinds)
        .map(([k, n]) => `${n}×${k}`)
        .join(' ')} of ${report.requests[app]} requests`,
  );
  console.log(
    `\nfault campaign ${report.runId}: ${report.people} people in ${(report.durationMs / 1000).toFixed(0)} s, worker killed ${report.workerKills}×`,
  );
  console.log(`faults injected: ${faults.join('; ')}`);
  const v = report.verdict;
  console.log(
    `missing ${v.missing.length} · duplicates ${v.duplicates.length} · leavers still active ${v.leaversActive.length} · access not revoked ${v.accessNotRevoked.length} · deleted while on hold ${v.deletedWhileOnHold.length} · not deleted after retention ${v.notDeletedAfterRetention.length}`,
  );
  console.log(
    `leavers' rechecks found ${report.recheckCaught.length} account(s) active again (a create the app applied after the client gave up), ${report.recheckCaught.filter((c) => c.lateWrites.length === 0).length} without such a write`,
  );
  const alertedRemovals = report.lateEffects.filter((e) => e.endsWith(ALERTED_REMOVAL));
  console.log(
    `leavers' memberships the app refused to remove: ${alertedRemovals.length}, each alerted (groups-not-removed); ${v.leaverMemberships.length} left without an alert${alertedRemovals.length > 0 ? `\n  ${alertedRemovals.join('\n  ')}` : ''}`,
  );
  console.log(
    `SLA breaches: ${report.sla.recorded.length} recorded, ${report.sla.alerted.length} alerted, ${report.sla.flagged.length} flagged in Temporal`,
  );
  console.log(
    `malformed webhooks: ${report.badInput.filter((b) => b.ok).length}/${report.badInput.length} rejected precisely, ${report.badInputStartedWorkflows.length} started anything`,
  );
  console.log(
    `audit chain ${report.chain.ok ? 'intact' : 'BROKEN'}; ${report.logLines} log lines scanned, ${report.secretLeaks.length} with a secret`,
  );
  mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
  const out = path.join(ROOT, 'test-artifacts', `faults-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(`report: ${path.relative(ROOT, out)}`);
  const failed = failures(report);
  if (failed.length) {
    console.log(`\nFAILED:\n- ${failed.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      '\nPASSED: nothing lost, nothing duplicated, no leaver active, no delete under hold, every breach alerted and recorded, no secret logged',
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
