/**
 * `npm run bench -- reconcile`: reconciling one app that holds 10,000 users and their groups,
 * served by the reference SCIM server behind a rate limit (429 + Retry-After beyond it, like the
 * onboarding benchmark's apps), the connector pacing itself to the same rate. The reconciling
 * process runs on its own (bench/reconcile-scan.ts: the real SCIM client, scan and comparison,
 * report only) so its time, CPU and memory are its own. Each quirk profile gets a fresh app:
 * `rfc` (paging as RFC 7644 says) and `sloppy` (a page past the end repeats page 1, totalResults
 * off by one); `--profiles rfc+badPaging` adds quirk flags to a profile (`badPaging`: every
 * request answers page 1). Prints a table, writes bench/results/reconcile-<timestamp>.json (git-ignored).
 *
 *   npm run bench -- reconcile [--users 10000] [--groups 20] [--rate 50] [--page-size 100] [--profiles rfc,sloppy]
 *
 * Drift is seeded so every comparison path runs: 1 % of the people terminated with an active
 * account, 50 people with no account, 50 orphans, 10 accounts without externalId, a title
 * changed on every 250th. The people come from a file (what the employee workflows' `status`
 * would say): listing them from Temporal is not measured here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PersonRecord } from '../lib/reconcile';
import { AppLog } from './apps';
import { describeMachine, machine, startApps, writeResults } from './common';
import { writeConnector, writeEveryonePolicy } from './config-files';
import { ROOT, type Proc } from './processes';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    groups: { type: 'string', default: '20' },
    rate: { type: 'string', default: '50' },
    'page-size': { type: 'string', default: '100' },
    profiles: { type: 'string', default: 'rfc,sloppy' },
  },
});
const USERS = Number(values.users);
const GROUPS = Math.max(2, Number(values.groups));
const RATE = Number(values.rate);
const PAGE = Number(values['page-size']);
const PROFILES = values.profiles.split(',').filter(Boolean);
const ORPHANS = 50;
const UNMANAGED = 10;
const MISSING = 50;
const APP = 'app01';
const TOKEN_ENV = 'BENCH_SCIM_TOKEN';

const department = (n: number) => `D${(n % (GROUPS - 1)) + 1}`;
const person = (n: number) => ({
  employeeId: `B${n}`,
  givenName: 'Bench',
  familyName: `User${n}`,
  workEmail: `bench.user${n}@example.com`,
  title: 'Engineer',
  department: department(n),
});

/** What the app holds: every person's account, orphans, accounts without externalId, and the groups. */
function seed(): { users: object[]; groups: object[] } {
  const users: object[] = [];
  for (let n = 1; n <= USERS; n++) {
    const p = person(n);
    users.push({
      id: `u${n}`,
      externalId: p.employeeId,
      userName: p.workEmail,
      name: { givenName: p.givenName, familyName: p.familyName },
      title: p.title,
      active: true,
    });
  }
  for (let k = 1; k <= ORPHANS; k++)
    users.push({ id: `o${k}`, externalId: `X${k}`, userName: `gone${k}@example.com`, active: true });
  for (let k = 1; k <= UNMANAGED; k++) users.push({ id: `m${k}`, userName: `admin${k}@example.com`, active: true });
  const members = (filter: (n: number) => boolean) =>
    Array.from({ length: USERS }, (_, i) => i + 1)
      .filter(filter)
      .map((n) => ({ value: `u${n}` }));
  const groups = [{ id: 'g0', displayName: 'all-staff', members: members(() => true) }];
  for (let d = 1; d < GROUPS; d++)
    groups.push({ id: `g${d}`, displayName: `D${d}`, members: members((n) => department(n) === `D${d}`) });
  return { users, groups };
}

/** What the employee workflows would say: everyone seeded, 1 % terminated, some retitled, some never provisioned. */
function people(): PersonRecord[] {
  const out: PersonRecord[] = [];
  for (let n = 1; n <= USERS + MISSING; n++) {
    const p = person(n);
    const terminated = n <= USERS && n % 100 === 0;
    const snapshot = {
      ...p,
      title: n % 250 === 0 ? 'Manager' : p.title,
      status: terminated ? ('terminated' as const) : ('active' as const),
    };
    const accounts =
      n <= USERS
        ? [
            {
              app: APP,
              scimId: `u${n}`,
              state: terminated ? ('deactivated' as const) : ('active' as const),
              groups: ['all-staff', p.department],
              lastChangeAtMs: 0,
            },
          ]
        : [];
    out.push({ employeeId: p.employeeId, snapshot, accounts });
  }
  return out;
}

function writeConfig(dir: string, url: string): void {
  writeConnector(dir, {
    id: APP,
    displayName: 'App 1',
    baseUrl: url,
    tokenEnv: TOKEN_ENV,
    // A fifth of a second's worth, as in the onboarding benchmark: the app's bucket holds a full second's.
    rateLimit: { requestsPerSecond: RATE, burst: Math.max(1, Math.round(RATE / 5)), maxConcurrency: 4 },
    maxPageSize: PAGE,
    groups: { manage: true, create: false },
  });
  writeEveryonePolicy(dir, [{ app: APP, groups: ['all-staff', '{{department}}'] }]);
}

interface ScanOutput {
  ms: number;
  scanned: { users: number; groups: number; pages: number; paging: string };
  error?: string;
  findings: Record<string, number>;
  cpuSeconds: number;
  heapBeforeMiB: number;
  rssBeforeMiB: number;
  peakHeapMiB: number;
  peakRssMiB?: number;
}

/** The reconciling process: its own node, the TypeScript hook, one JSON line out. */
function runScan(configDir: string, peopleFile: string): Promise<ScanOutput> {
  const code = [
    `require(${JSON.stringify(path.join(ROOT, 'lib/runtime/register-ts.js'))}).register();`,
    "process.argv.splice(1, 0, 'reconcile-scan');",
    `require(${JSON.stringify(path.join(ROOT, 'bench/reconcile-scan.ts'))});`,
  ].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code, configDir, peopleFile, APP], {
      cwd: ROOT,
      env: { ...process.env, [TOKEN_ENV]: 'bench-token-0123456789abcdef', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (status) => {
      if (status !== 0) return reject(new Error(`reconciling process exited with ${status}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ScanOutput);
    });
  });
}

/** Pages a scan cannot do without: up to the one that shows the end (short, or empty after a full one). */
const pagesNeeded = (n: number) => Math.floor(n / PAGE) + 1;

async function main(): Promise<void> {
  console.log(
    `reconcile: ${USERS} users + ${ORPHANS + UNMANAGED} strangers, ${GROUPS} groups, ${RATE} requests/s, pages of ${PAGE}; profiles ${PROFILES.join(', ')}`,
  );
  console.log(describeMachine());
  const work = mkdtempSync(path.join(tmpdir(), 'jml-bench-reconcile-'));
  const seedFile = path.join(work, 'seed.json');
  const peopleFile = path.join(work, 'people.json');
  writeFileSync(seedFile, JSON.stringify(seed()));
  writeFileSync(peopleFile, JSON.stringify(people()));
  const held = USERS + ORPHANS + UNMANAGED;
  const minimumPages = pagesNeeded(held) + pagesNeeded(GROUPS);
  const runs: Record<string, unknown>[] = [];
  for (const profile of PROFILES) {
    const log = new AppLog();
    let app: Proc | undefined;
    try {
      const started = await startApps(
        1,
        [
          // `rfc+badPaging`: a profile with quirk flags on top.
          '--profile',
          profile.split('+')[0]!,
          ...profile
            .split('+')
            .slice(1)
            .flatMap((q) => ['--quirk', q]),
          '--rate-limit',
          `${RATE}:${Math.ceil(RATE)}`,
          '--max-page-size',
          String(PAGE),
          '--seed-file',
          seedFile,
          '--max-recorded-requests',
          '100',
        ],
        `app-${profile}`,
        () => ({ onLine: log.onLine, keepLines: 5 }),
      );
      app = started.apps[0]!;
      const configDir = path.join(work, profile, 'config');
      writeConfig(configDir, started.urls[0]!);
      const scan = await runScan(configDir, peopleFile);
      await new Promise((r) => setTimeout(r, 500)); // the app's last log lines
      const minimumS = minimumPages / RATE;
      const run = {
        profile,
        seconds: Number((scan.ms / 1000).toFixed(2)),
        pages: scan.scanned.pages,
        minimumPages,
        minimumSeconds: Number(minimumS.toFixed(2)),
        // An app that could not be read in full has no time to compare with the minimum.
        ratioToRateLimitMinimum: scan.error ? null : Number((scan.ms / 1000 / minimumS).toFixed(2)),
        appRequests: log.requests,
        rateLimited: log.rateLimited,
        ...scan,
      };
      runs.push(run);
      console.log(
        `  ${profile}: ${run.seconds} s, ${run.pages} pages (minimum ${minimumPages} = ${run.minimumSeconds} s at ${RATE}/s, ratio ${run.ratioToRateLimitMinimum}), ` +
          `${scan.scanned.users} users / ${scan.scanned.groups} groups read, paging ${scan.scanned.paging}, ${log.rateLimited} × 429, ` +
          `CPU ${scan.cpuSeconds} s, peak heap ${scan.peakHeapMiB} MiB (before ${scan.heapBeforeMiB}), peak RSS ${scan.peakRssMiB} MiB (before ${scan.rssBeforeMiB})` +
          `${scan.error ? `, NOT RECONCILED: ${scan.error}` : ''}\n    findings: ${JSON.stringify(scan.findings)}`,
      );
    } finally {
      await app?.stop();
    }
  }
  const results = {
    at: new Date().toISOString(),
    machine: machine(),
    params: {
      users: USERS,
      orphans: ORPHANS,
      unmanaged: UNMANAGED,
      missing: MISSING,
      groups: GROUPS,
      rate: RATE,
      pageSize: PAGE,
    },
    runs,
  };
  console.log(`results: ${writeResults('reconcile', results)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
