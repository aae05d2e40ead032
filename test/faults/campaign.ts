/**
 * The fault campaign: the real pieces as separate processes (embedded engine, worker, intake
 * API) against reference apps that inject 429 + Retry-After, 5xx, hangs and connection resets,
 * while HR delivers duplicates, out-of-order snapshots and a corpus of malformed webhooks, and
 * the worker is killed with SIGKILL mid-run and restarted. At the end every app's actual state
 * is judged against HR truth, SLA breaches are reconciled across the audit store, the alert
 * webhook and Temporal's search attributes, the audit chain is verified, and every log line of
 * every process is scanned for secrets.
 *
 * Used by test/faults/campaign.test.ts (short form, in CI) and `npm run test:faults` (long form).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection, Client } from '@temporalio/client';
import { request } from 'undici';
import { AuditStore } from '../../lib/audit';
import { TEST_AUDIT_KEY, TEST_AUDIT_KEY_TEXT } from '../helpers/audit-targets';
import { loadConfig } from '../../lib/config';
import { runOperatorAction } from '../../lib/temporal/employee-client';
import type { RecordedRequest } from '../../scim-server';
import { createSignedRequest } from '../../workers/api';
import { startReferenceApps, type ReferenceApps } from '../../workers/dev/reference-apps';
import type { EmployeeStatusView as EmployeeStatus } from '../../lib/status';
import { pool } from '../../bench/common';
import { writeConnector } from '../../bench/config-files';
import { freePort, ROOT, startJml, waitForLine, type Proc } from '../../bench/processes';
import { acceptAlertedRemovals, judge, problemCount, type AppState, type Verdict } from './checks';
import { buildScenario, expectedActiveApps, type PersonTruth } from './scenario';
import { webhookCorpus } from './webhook-corpus';

/** An alert as the campaign's webhook received it. */
export interface CampaignAlert {
  kind: string;
  workflowId: string;
  employeeId?: string;
  app?: string;
  message?: string;
}

export interface CampaignOptions {
  /** People in the scenario (a quarter each stay, move, leave, leave under legal hold). */
  employees: number;
  /** Probability that a SCIM request gets a fault (split evenly over 429, 5xx, hang, reset). @default 0.2 */
  faultRate?: number;
  /** Leaver SLA (default 2 s: short enough that faults breach some). */
  leaverSla?: string;
  /**
   * Retention before delete (default 40 s): after the recheck, as in production (30 days after a
   * 10-minute recheck), so the delete also finds an account a late create made.
   */
  retention?: string;
  /**
   * The policy's leaver.recheckAfter (default 35 s): longer than a hung request takes to land (the
   * stand-ins apply it 30 s after it arrived, long after the client gave up), so the recheck runs
   * within the campaign and finds the accounts those late creates make.
   */
  recheckAfter?: string;
  /** Give up waiting for convergence after this long (the verdict then shows what is missing). */
  deadlineMs?: number;
  /** PostgreSQL for the audit store; PGlite in the work directory otherwise. */
  databaseUrl?: string;
  seed?: number;
  progress?: (line: string) => void;
}

export interface CampaignReport {
  runId: string;
  people: number;
  durationMs: number;
  converged: boolean;
  unconverged: string[];
  /** The three people who reached HR truth last, and when (ms after the start). */
  slowest: { employeeId: string; afterMs: number }[];
  /** The last status read of each person who did not converge (what to look at first). */
  unconvergedStatus: Record<string, unknown>;
  /**
   * Memberships the verdict did not count, each with why: a request applied after its timeout
   * accounts for it, or a leaver's removal the app kept refusing that was alerted (groups-not-removed).
   */
  lateEffects: string[];
  /**
   * Held leavers an app never had an account for (a joiner cut short by the termination), with
   * every create the app received for them: not a deletion under hold, reported all the same.
   */
  neverCreated: { key: string; creates: { at: string; status: number | null; fault?: string }[] }[];
  /** Groups sharing a name in an app (what the verdict's duplicateGroups names), with the group requests that made them. */
  duplicateGroupDetail: unknown[];
  /** Every request about the slowest person: where the time went. */
  slowestRequests: unknown[];
  /**
   * For each `person@app` the verdict counts as a leaver still active, access not revoked, missing
   * or duplicated, and each `person@app:group` membership it counts (a leaver's, a mover's stale
   * one): every request that app received about the person (what to read first).
   */
  problemRequests: Record<string, unknown[]>;
  /** The same people's lines in the worker logs (both workers, the killed one first; at most 300 each). */
  problemLogs: Record<string, string[]>;
  /** The alerts the webhook received about the same people (e.g. `groups-not-removed` for a membership). */
  problemAlerts: Record<string, CampaignAlert[]>;
  verdict: Verdict;
  problems: number;
  faultsInjected: Record<string, Record<string, number>>;
  requests: Record<string, number>;
  workerKills: number;
  badInput: { name: string; status: number; expected: number; code?: string; ok: boolean; detail: string }[];
  badInputStartedWorkflows: string[];
  sla: {
    recorded: string[];
    alerted: string[];
    flagged: string[];
    unalerted: string[];
    unrecorded: string[];
    unflagged: string[];
  };
  /** Alert deliveries the webhook refused, by HTTP status. */
  alertFailures: Record<string, number>;
  /**
   * `person@app` a leaver's recheck found active again and deactivated (alerted `active-leaver`),
   * each with the requests that explain it: writes about the person that hung, which the app
   * applied after the client had given up. One without such a write is an account the leaver missed.
   */
  recheckCaught: { key: string; lateWrites: unknown[] }[];
  chain: { ok: boolean; problems: number };
  secretLeaks: string[];
  logLines: number;
}

/**
 * Slack's stand-in as an app without unique group names: two creates of one name both succeed,
 * a member added twice is listed twice, a remove that changes nothing answers 204.
 */
const SLACK_PROFILE = { base: 'lax-groups', userDelete: 'deactivate', filterOperators: ['eq', 'and'] } as const;

const SECRET_NAMES = ['SLACK_SCIM_TOKEN', 'GITHUB_SCIM_TOKEN', 'CANVA_CLIENT_SECRET', 'HELPDESK_SCIM_TOKEN'];

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const runId = started.toString(36).slice(-5);
  const say = options.progress ?? (() => undefined);
  const faultRate = options.faultRate ?? 0.2;
  const work = mkdtempSync(path.join(tmpdir(), 'jml-faults-'));
  const procs: Proc[] = [];
  const deadProcs: Proc[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  const hmacSecret = randomBytes(32).toString('base64url');
  try {
    // Reference apps in this process: their state and every request are what the verdict reads.
    const secretsEnv: NodeJS.ProcessEnv = {};
    const faultCounts: Record<string, Record<string, number>> = {};
    const requestCounts: Record<string, number> = {};
    const deletedIds: Record<string, string[]> = {};
    // Every account each app held during the run, read after each request it answered: an id a
    // client could know came from an answer, so an account later deleted was seen here first.
    const everHeld: Record<string, Map<string, AppState['users'][number]>> = {};
    const appsSoFar: { current?: ReferenceApps } = {};
    const trace: {
      app: string;
      at: number;
      method: string;
      path: string;
      filter?: string;
      status: number | null;
      fault?: string;
      ms: number | null;
      body?: string;
    }[] = [];
    const configDir = writeCampaignConfig(work, options);
    const loaded = await loadConfig(configDir);
    const perKind = faultRate / 4;
    const apps: ReferenceApps = await startReferenceApps(loaded, {
      ports: 'any',
      env: secretsEnv,
      serverOptions: (app) => ({
        seed: (options.seed ?? 7) + app.length,
        maxRecordedRequests: 100,
        rateLimit: null,
        // Creates and updates take effect and then lose their answer on one app: retries must adopt, not duplicate.
        // The helpdesk answers slowly (2.5 s) for everyone: its leavers breach the 2 s SLA, every time.
        ...(app === 'slack' ? { profile: SLACK_PROFILE } : {}),
        faults: {
          rate429: perKind,
          rate5xx: perKind,
          rateHang: perKind,
          rateReset: perKind,
          retryAfterSeconds: 1,
          hangMs: 30_000,
          faultTiming: app === 'github' ? 'after' : 'before',
          ...(app === 'helpdesk' ? { latencyMs: 2_500 } : {}),
        },
        onRequest: (r: RecordedRequest) => {
          trace.push({
            app,
            at: r.receivedAt,
            method: r.method,
            path: r.path,
            filter: r.query.filter,
            status: r.status,
            fault: r.fault?.kind,
            ms: r.durationMs,
            body: r.method === 'GET' ? undefined : JSON.stringify(r.body ?? '').slice(0, 400),
          });
          requestCounts[app] = (requestCounts[app] ?? 0) + 1;
          if (r.fault) (faultCounts[app] ??= {})[r.fault.kind] = ((faultCounts[app] ??= {})[r.fault.kind] ?? 0) + 1;
          const del = r.method === 'DELETE' ? /\/Users\/([^/]+)$/.exec(r.path) : null;
          if (del) (deletedIds[app] ??= []).push(decodeURIComponent(del[1]!));
          const held = (everHeld[app] ??= new Map());
          for (const u of appsSoFar.current?.apps[app]?.server.users() ?? []) {
            if (!held.has(u.id))
              held.set(u.id, { id: u.id, externalId: u.externalId, userName: u.userName, active: u.active });
          }
        },
      }),
    });
    appsSoFar.current = apps;
    stops.push(() => apps.stop());

    // The alert webhook fails a fifth of deliveries too, answering 404 and 500 in turn: a
    // non-retryable answer as well as a server error. Alerts are retried, never lost, and never
    // hold up a run or fail a workflow.
    const alerts: CampaignAlert[] = [];
    const alertFailures: Record<string, number> = {};
    const receiver = await alertReceiver(alerts, faultRate, alertFailures);
    stops.push(() => new Promise((r) => receiver.server.close(r)));

    pointAtStandIns(configDir, apps);
    const engine = startJml('engine', ['engine', '--port', '0'], { LOG_LEVEL: 'info' });
    procs.push(engine);
    const address = (await waitForLine(engine, /listening on (\S+)/))[1]!;
    const env: NodeJS.ProcessEnv = {
      ...secretsEnv,
      TEMPORAL_ADDRESS: address,
      JML_CONFIG_DIR: configDir,
      JML_ALERT_WEBHOOK_URL: receiver.url,
      JML_API_HMAC_SECRETS: hmacSecret,
      // Any free port: other campaigns, benchmarks or a dev stack may hold the default 9464.
      JML_WORKER_METRICS_PORT: '0',
      JML_AUDIT_KEY: TEST_AUDIT_KEY_TEXT,
      ...(options.databaseUrl
        ? { DATABASE_URL: options.databaseUrl }
        : { JML_AUDIT_DIR: path.join(work, 'audit'), DATABASE_URL: '' }),
    };
    // The worker runs no DDL on PostgreSQL: migrate first, as a deployment does.
    if (options.databaseUrl) await (await AuditStore.open({ databaseUrl: options.databaseUrl })).close();
    // debug: every SCIM request is logged, so the secret scan covers them.
    const startWorker = async () => {
      const worker = startJml('worker', ['worker', '--max-activities', '64'], { ...env, LOG_LEVEL: 'debug' });
      procs.push(worker);
      await waitForLine(worker, /lifecycle worker running/);
      return worker;
    };
    let worker = await startWorker();
    const apiPort = await freePort();
    const api = startJml('api', ['api', '--port', String(apiPort), '--rate', '10000', '--burst', '10000'], {
      ...env,
      LOG_LEVEL: 'info',
    });
    procs.push(api);
    await waitForLine(api, /intake API listening/);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const connection = await Connection.connect({ address });
    stops.push(() => connection.close());
    const client = new Client({ connection });

    const scenario = buildScenario(runId, options.employees, () => new Date().toISOString());
    const post = async (body: unknown) => {
      const signed = createSignedRequest({ body, secret: hmacSecret });
      const res = await request(`${apiUrl}/v1/hr/events`, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body,
      });
      const text = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`intake answered ${res.statusCode} to a valid event: ${text}`);
    };
    const deliver = (events: typeof scenario.hires) =>
      pool(events, 16, async (e) => {
        await (scenario.duplicated.has(e.eventId) ? Promise.all([post(e), post(e)]) : post(e));
      });

    say(`run ${runId}: ${options.employees} people, ${Math.round(faultRate * 100)} % SCIM faults; hiring…`);
    const hiring = deliver(scenario.hires);
    // Kill the worker while the hires are in flight, as a crash would; a new one takes over.
    await new Promise((r) => setTimeout(r, 1_500));
    worker.child.kill('SIGKILL');
    await new Promise((r) => worker.child.once('exit', r));
    procs.splice(procs.indexOf(worker), 1);
    deadProcs.push(worker);
    say('worker killed (SIGKILL) mid-run; starting a new one');
    worker = await startWorker();
    await hiring;
    // Legal holds on people who are about to leave (litigation holds often come first).
    for (const p of scenario.people.filter((x) => x.legalHold)) {
      const hold = { caseId: `LIT-${runId}`, reason: 'fault campaign', placedBy: 'campaign' };
      await runOperatorAction(client, p.employeeId, { kind: 'place-hold', hold });
    }

    say('moves, terminations, stale and duplicate deliveries, and the malformed-webhook corpus…');
    const corpus = webhookCorpus(runId, hmacSecret);
    const [badInput] = await Promise.all([
      Promise.all(
        corpus.map(async (c) => {
          const res = await request(`${apiUrl}/v1/hr/events`, { method: 'POST', headers: c.headers, body: c.body });
          const text = await res.body.text();
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { code?: string }).code;
          } catch {
            code = undefined;
          }
          const mentionsOk = c.mentions.every((m) => text.toLowerCase().includes(m.toLowerCase()));
          return {
            name: c.name,
            status: res.statusCode,
            expected: c.status,
            code,
            ok: res.statusCode === c.status && code === c.code && mentionsOk,
            detail: text.slice(0, 400),
          };
        }),
      ),
      deliver(scenario.changes),
    ]);

    say('waiting for every person to reach HR truth…');
    const deadline = started + (options.deadlineMs ?? 300_000);
    const lastStatus: Record<string, unknown> = {};
    const doneAt: Record<string, number> = {};
    const unconverged = await waitForConvergence(apiUrl, scenario.people, deadline, say, lastStatus, doneAt);
    const stuck: Record<string, unknown> = {};
    for (const id of unconverged) stuck[id] = await explainStuck(client, `employee-${id}`);
    const badInputStartedWorkflows: string[] = [];
    for (const c of corpus) {
      const res = await request(`${apiUrl}/v1/employees/${c.employeeId}`);
      await res.body.dump();
      if (res.statusCode !== 404) badInputStartedWorkflows.push(c.employeeId);
    }

    // Breaches flagged on the runs (SlaBreached search attribute) by Temporal's visibility.
    const flagged: string[] = [];
    for await (const wf of client.workflow.list({
      query: `SlaBreached = true AND EmployeeId STARTS_WITH "F${runId}-"`,
    }))
      flagged.push(wf.workflowId);

    // The worker owns a PGlite store; stop it (gracefully) before reading the evidence.
    await worker.stop();
    procs.splice(procs.indexOf(worker), 1);
    deadProcs.push(worker);
    const store = await AuditStore.open({
      key: TEST_AUDIT_KEY,
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: path.join(work, 'audit') }),
    });
    stops.push(() => store.close());
    const recorded = new Set<string>();
    let chainProblems = 0;
    for (const p of scenario.people) {
      for (const r of await store.records({ employeeId: p.employeeId })) {
        if (r.kind === 'milestone' && (r.data as { kind?: string }).kind === 'sla-breached')
          recorded.add(String(r.workflowId));
      }
      chainProblems += (await store.verify({ employeeId: p.employeeId })).problems.length;
    }
    const alerted = new Set(alerts.filter((a) => a.kind === 'sla-breached').map((a) => a.workflowId));
    const flaggedSet = new Set(flagged);

    const appStates: Record<string, AppState> = {};
    for (const [id, app] of Object.entries(apps.apps)) {
      appStates[id] = {
        users: app.server
          .users()
          .map((u) => ({ id: u.id, externalId: u.externalId, userName: u.userName, active: u.active })),
        deletedIds: deletedIds[id] ?? [],
        everHeld: [...(everHeld[id]?.values() ?? [])],
        deleteMode: apps.config.connectors[id]!.delete.mode,
      };
      if (id === 'slack')
        appStates[id]!.groups = app.server.groups().map((g) => ({
          displayName: g.displayName,
          members: (g.members ?? []).map((m) => String(m.value)),
          hungAdds: hungAdds(trace, id, g.id),
        }));
    }
    const lateEffects: string[] = [];
    const neverCreatedKeys: string[] = [];
    const verdict = acceptAlertedRemovals(
      judge(scenario.people, appStates, lateEffects, neverCreatedKeys),
      alerts.filter((a) => a.employeeId?.startsWith(`F${runId}-`)),
      lateEffects,
    );
    // What each app was asked to create for them, so "never created" can be checked by eye.
    const neverCreated = neverCreatedKeys.map((key) => {
      const [who, app] = key.split('@') as [string, string];
      const creates = trace.filter(
        (t) => t.app === app && t.method === 'POST' && /\/Users$/.test(t.path) && t.body?.includes(who),
      );
      return {
        key,
        creates: creates.map((t) => ({ at: new Date(t.at).toISOString(), status: t.status, fault: t.fault })),
      };
    });
    const duplicateGroupDetail = verdict.duplicateGroups.map((key) => {
      const [name, app] = key.split('@') as [string, string];
      const groups = apps.apps[app]!.server.groups().filter((g) => g.displayName === name);
      const ids = groups.map((g) => g.id);
      const requests = trace.filter(
        (t) =>
          t.app === app &&
          t.path.includes('/Groups') &&
          (t.method === 'POST' ? t.body?.includes(name) : ids.some((id) => t.path.endsWith(id))),
      );
      return {
        key,
        groups: groups.map((g) => ({
          id: g.id,
          externalId: g.externalId,
          created: g.meta.created,
          members: (g.members ?? []).length,
        })),
        requests: requests.map((t) => ({ ...t, at: new Date(t.at).toISOString() })),
      };
    });
    /** Every request an app (or every app) received about one person (by filter, account id or body), for the report. */
    const requestsOf = (id: string, app?: string) => {
      const states = app ? [appStates[app]!] : Object.values(appStates);
      const ids = states.flatMap((a) => a.users.filter((u) => u.externalId === id).map((u) => u.id));
      return trace
        .filter(
          (t) =>
            (!app || t.app === app) &&
            (t.filter?.includes(id) ||
              ids.some((x) => t.path.endsWith(x) || t.body?.includes(x)) ||
              t.body?.includes(id)),
        )
        .map((t) => ({ ...t, at: new Date(t.at).toISOString() }));
    };
    const personOf = (key: string) => key.slice(0, key.lastIndexOf('@'));
    const appOf = (key: string) => key.slice(key.lastIndexOf('@') + 1).split(':')[0]!;
    // What the leavers' rechecks found active again (alerted `active-leaver`).
    const caughtKeys = [
      ...new Set(
        alerts
          .filter((a) => a.kind === 'active-leaver' && a.employeeId?.startsWith(`F${runId}-`))
          .map((a) => `${a.employeeId}@${a.app}`),
      ),
    ].sort();
    const recheckCaught = caughtKeys.map((key) => ({
      key,
      // Only a create or an update of a user can make an account active.
      lateWrites: requestsOf(personOf(key), appOf(key)).filter(
        (t) => t.fault === 'hang' && ['POST', 'PUT', 'PATCH'].includes(t.method) && /\/Users(\/|$)/.test(t.path),
      ),
    }));
    // `person@app`, or `person@app:group` for memberships.
    const problemKeys = [
      ...verdict.leaversActive,
      ...verdict.accessNotRevoked,
      ...verdict.missing,
      ...verdict.duplicates,
      ...verdict.leaverMemberships,
      ...verdict.staleMemberships,
    ];
    const problemPeople = [...new Set(problemKeys.map(personOf))];

    // Every line every process wrote, plus the secrets they were given.
    const all = [...procs, ...deadProcs];
    const lines = all.flatMap((p) => [...p.lines, ...p.errLines]);
    const secrets = [hmacSecret, ...SECRET_NAMES.map((n) => secretsEnv[n]).filter((s): s is string => !!s)];
    const secretLeaks = lines
      .filter(
        (l) => secrets.some((s) => l.includes(s)) || /authorization"?\s*[:=]\s*"?(bearer|basic)\s+[a-z0-9]/i.test(l),
      )
      .map((l) => l.slice(0, 300));

    const sorted = (s: Set<string>) => [...s].sort();
    const report: CampaignReport = {
      runId,
      people: options.employees,
      durationMs: Date.now() - started,
      converged: unconverged.length === 0,
      unconverged,
      slowest: Object.entries(doneAt)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([id, at]) => ({ employeeId: id, afterMs: at - started })),
      unconvergedStatus: Object.fromEntries(
        unconverged.map((id) => [
          id,
          { status: lastStatus[id] ?? 'no workflow', temporal: stuck[id], requests: requestsOf(id) },
        ]),
      ),
      duplicateGroupDetail,
      lateEffects,
      neverCreated,
      slowestRequests: Object.entries(doneAt)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 1)
        .flatMap(([id]) => requestsOf(id)),
      problemRequests: Object.fromEntries(problemKeys.map((key) => [key, requestsOf(personOf(key), appOf(key))])),
      problemLogs: Object.fromEntries(
        problemPeople.map((who) => [
          who,
          all
            .filter((p) => p.name === 'worker')
            .flatMap((p) => [...p.lines, ...p.errLines])
            .filter((l) => l.includes(who))
            .slice(-300),
        ]),
      ),
      problemAlerts: Object.fromEntries(problemPeople.map((who) => [who, alerts.filter((a) => a.employeeId === who)])),
      verdict,
      problems: problemCount(verdict),
      faultsInjected: faultCounts,
      requests: requestCounts,
      workerKills: 1,
      badInput,
      badInputStartedWorkflows,
      sla: {
        recorded: sorted(recorded),
        alerted: sorted(alerted),
        flagged: sorted(flaggedSet),
        unalerted: sorted(recorded).filter((w) => !alerted.has(w)),
        unrecorded: sorted(alerted).filter((w) => !recorded.has(w)),
        unflagged: sorted(recorded).filter((w) => !flaggedSet.has(w)),
      },
      alertFailures,
      recheckCaught,
      chain: { ok: chainProblems === 0, problems: chainProblems },
      secretLeaks,
      logLines: lines.length,
    };
    return report;
  } finally {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The shipped config with campaign-sized limits and timers, plus a slow "helpdesk" app that
 * Support staff get (so some leavers breach their SLA deterministically).
 */
function writeCampaignConfig(work: string, options: CampaignOptions): string {
  const dir = path.join(work, 'config');
  mkdirSync(path.join(dir, 'connectors'), { recursive: true });
  const src = path.join(ROOT, 'config');
  for (const file of readdirSync(path.join(src, 'connectors')).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(path.join(src, 'connectors', file), 'utf8')
      .replace(/requestsPerSecond: \d+/, 'requestsPerSecond: 200')
      .replace(/burst: \d+/, 'burst: 200')
      .replace(/maxConcurrency: \d+/, 'maxConcurrency: 16')
      // A hung request is abandoned after 3 s and retried (the stand-in hangs for 30 s).
      .replace(/request: \d+s/, 'request: 3s');
    // Slack's stand-in keeps groups like a server without unique names (see SLACK_PROFILE): the
    // orchestrator creates the department groups itself, concurrently, under faults.
    writeFileSync(
      path.join(dir, 'connectors', file),
      file === 'slack.yaml' ? text.replace(/ {2}create: false/, '  create: true') : text,
    );
  }
  writeConnector(dir, {
    id: 'helpdesk',
    displayName: 'Helpdesk',
    baseUrl: 'http://127.0.0.1:9199/scim/v2',
    tokenEnv: 'HELPDESK_SCIM_TOKEN',
    timeouts: { request: '10s' },
    title: false,
  });
  // Each edit must find its line: a shipped policy that changed shape fails here, not as a campaign
  // that quietly ran on the shipped 10-minute recheck or guard limits.
  const edits: [RegExp, string][] = [
    [/leaver: 15m/, `leaver: ${options.leaverSla ?? '2s'}`],
    [/default: 30d/, `default: ${options.retention ?? '40s'}`],
    [/github: 90d/, `github: ${options.retention ?? '40s'}`],
    [/revokeGrace: 24h/, 'revokeGrace: 0s'],
    [/recheckAfter: 10m/, `recheckAfter: ${options.recheckAfter ?? '35s'}`],
    // The mass-change guard has its own tests; here its limits sit above what the campaign changes
    // (each leaver deactivates and deletes once per app), so no deletion waits for an approval.
    [/ {2}maxCount: 20\n/, `  maxCount: ${Math.max(20, 2 * options.employees)}\n`],
    [/allApps:\n {4}maxCount: 60/, `allApps:\n    maxCount: ${Math.max(60, 8 * options.employees)}`],
    [
      / {2}rules:\n/,
      '  rules:\n    - name: support-helpdesk\n      when:\n        department: [Support]\n      grant:\n        - app: helpdesk\n',
    ],
    [
      / {2}rules:\n/,
      '  rules:\n    - name: department-group\n      when: {}\n      grant:\n        - app: slack\n          groups: ["dept-{{department}}"]\n',
    ],
  ];
  let policy = readFileSync(path.join(src, 'policy.yaml'), 'utf8');
  for (const [pattern, value] of edits) {
    if (!pattern.test(policy)) throw new Error(`campaign: config/policy.yaml has no line matching ${pattern}`);
    policy = policy.replace(pattern, value);
  }
  writeFileSync(path.join(dir, 'policy.yaml'), policy);
  return dir;
}

/** Member ids named by PATCH adds to a group that hung (applied after the client gave up). */
function hungAdds(
  trace: { app: string; method: string; path: string; fault?: string; body?: string }[],
  app: string,
  groupId: string,
): string[] {
  return trace
    .filter(
      (t) =>
        t.app === app &&
        t.method === 'PATCH' &&
        t.fault === 'hang' &&
        t.path.endsWith(`/Groups/${groupId}`) &&
        t.body?.includes('"op":"add"'),
    )
    .flatMap((t) => [...(t.body ?? '').matchAll(/"value":"([^"]+)"/g)].map((m) => m[1]!));
}

/** Points every connector file at its stand-in's port (the stand-ins listen on free ports). */
function pointAtStandIns(dir: string, apps: ReferenceApps): void {
  for (const [id, app] of Object.entries(apps.apps)) {
    const file = path.join(dir, 'connectors', `${id}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/http:\/\/127\.0\.0\.1:\d+/g, new URL(app.url).origin));
  }
}

async function alertReceiver(
  alerts: CampaignAlert[],
  failRate: number,
  failures: Record<string, number>,
): Promise<{ server: Server; url: string }> {
  const seen = new Set<string>();
  let failed = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as {
        kind: string;
        workflowId: string;
        employeeId?: string;
        eventId?: string;
        app?: string;
        message?: string;
      };
      // Deterministic: the first delivery of the first two alerts and of every fifth one after (at
      // a 20 % rate) fails before it is recorded, answering 404 and 500 in turn. Only the first:
      // the workflow retries an undelivered alert after 1, 5, 15 min, and an alert refused twice
      // (by a global delivery count, depending on timing) would wait past the campaign's deadline.
      const key = JSON.stringify([body.kind, body.workflowId, body.eventId, body.app, body.message]);
      const first = !seen.has(key);
      seen.add(key);
      if (failRate > 0 && first && (seen.size <= 2 || seen.size % Math.round(1 / failRate) === 0)) {
        const status = ++failed % 2 === 1 ? 404 : 500;
        failures[status] = (failures[status] ?? 0) + 1;
        res.writeHead(status).end();
        return;
      }
      alerts.push({
        kind: body.kind,
        workflowId: body.workflowId,
        employeeId: body.employeeId,
        app: body.app,
        message: body.message,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts` };
}

/** Polls the API's status read until each person matches HR truth, or the deadline passes. */
async function waitForConvergence(
  apiUrl: string,
  people: PersonTruth[],
  deadline: number,
  say: (s: string) => void,
  last: Record<string, unknown>,
  doneAt: Record<string, number>,
): Promise<string[]> {
  const pending = new Set(people.map((p) => p.employeeId));
  const byId = new Map(people.map((p) => [p.employeeId, p]));
  let lastReport = 0;
  while (pending.size > 0 && Date.now() < deadline) {
    await pool([...pending], 8, async (id) => {
      const res = await request(`${apiUrl}/v1/employees/${id}`);
      if (res.statusCode !== 200) return void (await res.body.dump());
      const status = (await res.body.json()) as EmployeeStatus;
      last[id] = status;
      if (converged(byId.get(id)!, status)) {
        pending.delete(id);
        doneAt[id] = Date.now();
      }
    });
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      say(`  ${people.length - pending.size}/${people.length} at HR truth`);
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 1_000));
  }
  return [...pending].sort();
}

function converged(p: PersonTruth, s: EmployeeStatus): boolean {
  // Undelivered alerts (the webhook answered 404/500) are still being retried by the workflow.
  // A leaver's recheck still to run may yet find an account a late create made: wait for it.
  if (s.stage !== 'idle' || s.pendingEvents.length > 0 || (s.undeliveredAlerts ?? []).length > 0) return false;
  if (s.pendingRechecks.length > 0) return false;
  const state = (app: string) => s.accounts.find((a) => a.app === app)?.state;
  if (p.status === 'active') {
    const want = new Set(expectedActiveApps(p));
    return (
      [...want].every((app) => state(app) === 'active') &&
      p.everHad.filter((a) => !want.has(a)).every((app) => state(app) === 'deactivated')
    );
  }
  if (p.legalHold) return s.legalHold !== undefined && s.accounts.every((a) => a.state === 'deactivated');
  // Leavers without hold: deactivated everywhere, and the retention deletes done.
  return (
    s.pendingDeletion.length === 0 &&
    s.accounts.length > 0 &&
    s.accounts.every((a) => a.state === 'deactivated' || a.state === 'deleted')
  );
}

/** What Temporal says about a run that did not converge: pending work, children, the tail of its history. */
async function explainStuck(client: Client, workflowId: string, depth = 0): Promise<unknown> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const d = await handle.describe();
    const raw = d.raw.pendingActivities ?? [];
    const history = await handle.fetchHistory();
    const events = (history.events ?? []).slice(-12).map((e) => String(e.eventType ?? '').replace('EVENT_TYPE_', ''));
    const children =
      depth < 1
        ? await Promise.all(
            (d.raw.pendingChildren ?? []).map((c) => explainStuck(client, String(c.workflowId), depth + 1)),
          )
        : [];
    return {
      workflowId,
      status: d.status.name,
      historyLength: d.historyLength,
      pendingActivities: raw.map((a) => ({
        type: a.activityType?.name,
        state: a.state,
        attempt: a.attempt,
        lastFailure: a.lastFailure?.message,
      })),
      lastEvents: events,
      children,
    };
  } catch (err) {
    return { workflowId, error: (err as Error).message };
  }
}
