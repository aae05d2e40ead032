/**
 * The console's reconciliation page over real `reconcile-<app>` workflows (engine with time
 * skipping, reference apps, the audit store on PGlite): a leaver re-enabled by hand in Slack is
 * found and deactivated by a run an operator triggers, a GitHub run that fails as a whole is
 * shown from its workflow, the next runs come from the schedules — over real HTTP, and in
 * headless Chromium (screenshots in test-artifacts/console/). With Temporal unreachable the page
 * still shows the last runs from the audit store and says what it cannot know.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import puppeteer, { type Browser } from 'puppeteer-core';
import { AuditStore } from '../../../../lib/audit';
import { createLogger } from '../../../../lib/logger';
import { ScimClients } from '../../../../lib/scim';
import { reconciliationStatusQuery, reconciliationWorkflowId } from '../../../../lib/temporal/contract';
import { runReconciliationNow, startReconciliationWorkflows } from '../../../../lib/temporal/reconciliation-client';
import { auditReadSide } from '../../../../workers/api';
import { TEST_AUDIT_KEY } from '../../../helpers/audit-targets';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../../../helpers/lifecycle-stack';
import { startApi, type RunningApi } from '../helpers';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
  existsSync(p),
);
const ARTIFACTS = path.join(__dirname, '..', '..', '..', '..', 'test-artifacts', 'console');

/** The page's rows as cell texts, keyed by app (a plain HTML parse: the page is server-rendered). */
function rowsOf(html: string): Record<string, { source: string; cells: string[] }> {
  const rows: Record<string, { source: string; cells: string[] }> = {};
  for (const m of html.matchAll(/<tr data-app="([^"]+)" data-source="([^"]*)">(.*?)<\/tr>/g)) {
    const cells = [...m[3]!.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ''));
    rows[m[1]!] = { source: m[2]!, cells };
  }
  return rows;
}

describe('console: last reconciliation run per app', () => {
  let stack: LifecycleStack;
  let store: AuditStore;
  let live: RunningApi;
  let unreachable: RunningApi;
  let notConnected: RunningApi;
  let deadClient: Client;
  let hung: Server;
  const sockets: Socket[] = [];
  let failGithub = false;
  let leaverScimId = '';

  beforeAll(async () => {
    store = await AuditStore.open({ key: TEST_AUDIT_KEY });
    stack = await startLifecycleStack({
      auditStore: store,
      // The leaver's own recheck would deactivate the account re-enabled by hand; here reconciliation must.
      policy: (p) => ({ ...p, leaver: { ...p.leaver, recheckAfterMs: 0 } }),
      wrapActivities: (real) => ({
        ...real,
        reconcileApp: async (input) => {
          if (failGithub && input.app === 'github')
            throw ApplicationFailure.create({ type: 'TEST_OUTAGE', message: 'people could not be listed' });
          return real.reconcileApp(input);
        },
      }),
    });
    const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
    let seq = 0;
    for (const id of ['RC1', 'RC2']) {
      await stack.send(
        hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt: await now(), sequence: ++seq }),
      );
      await stack.waitFor(id, (s) => s.stage === 'idle' && s.accounts.filter((a) => a.state === 'active').length === 2);
    }
    await stack.send(
      hrEvent('terminate', { employeeId: 'RC2' }, { eventId: 'RC2-term', effectiveAt: await now(), sequence: seq + 1 }),
    );
    await stack.waitFor('RC2', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state !== 'active'));
    // An admin re-enables the leaver in Slack by hand.
    const slack = stack.apps.apps.slack!.server;
    const leaver = slack.users().find((u) => u.externalId === 'RC2')!;
    leaverScimId = leaver.id!;
    const scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
    await scim.get(stack.config.connectors.slack!).reactivateUser(leaverScimId);
    await scim.close();

    await startReconciliationWorkflows(stack.env.client, {
      taskQueue: stack.taskQueue,
      apps: ['github', 'slack'],
      everyMs: DAY,
    });
    const slackRun = await runReconciliationNow(stack.env.client, 'slack', 'ops@example.com');
    expect(slackRun.findings['active-leaver']).toBe(1);
    expect(slack.users().find((u) => u.id === leaverScimId)!.active).toBe(false);
    // A GitHub run that fails as a whole: only its workflow keeps it.
    failGithub = true;
    const githubRun = await runReconciliationNow(stack.env.client, 'github');
    expect(githubRun.error).toContain('people could not be listed');

    live = await startApi(stack.env.client, auditReadSide(store, { temporal: () => stack.env.client }));
    // A Temporal that accepts connections and never answers.
    hung = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungPort = (hung.address() as { port: number }).port;
    deadClient = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${hungPort}` }) });
    unreachable = await startApi(stack.env.client, auditReadSide(store, { temporal: () => deadClient }));
    notConnected = await startApi(stack.env.client, auditReadSide(store, { temporal: () => undefined }));
  });

  afterAll(async () => {
    await live?.app.close();
    await unreachable?.app.close();
    await notConnected?.app.close();
    // Its calls ended at their deadline when each page gave up on them.
    await deadClient?.connection.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hung?.close(resolve));
    await stack?.stop();
    await store?.close();
  });

  it('shows each app: when, findings by kind, active leavers repaired, errors, next run', async () => {
    const res = await fetch(`${live.url}/console/reconciliation`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('id="temporal-state" class="status ok"');
    const rows = rowsOf(html);
    expect(Object.keys(rows)).toEqual(['github', 'slack']);

    const slackStatus = await stack.env.client.workflow
      .getHandle(reconciliationWorkflowId('slack'))
      .query(reconciliationStatusQuery);
    const [app, last, findings, leavers, error, next] = rows.slack!.cells;
    expect(app).toBe('slack');
    expect(rows.slack!.source).toBe('audit store');
    expect(last).toContain(new Date(slackStatus.lastRun!.finishedAtMs).toISOString().replace('.000Z', 'Z'));
    expect(last).toContain('round 1, operator by ops@example.com');
    expect(findings).toContain('1 active-leaver');
    expect(leavers).toBe('1 of 1 deactivated: RC2 deactivated');
    expect(error).toBe('');
    expect(next).toBe(new Date(slackStatus.nextRunAtMs!).toISOString().replace('.000Z', 'Z'));

    // The failed GitHub run is not in the store; its workflow has it.
    expect(rows.github!.source).toBe('workflow');
    expect(rows.github!.cells[4]).toContain('people could not be listed');
    expect(rows.github!.cells[5]).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('with Temporal unreachable, shows the last runs from the audit store and says what it cannot know', async () => {
    for (const [api, reason] of [
      [unreachable, /Temporal is unreachable \([^)]+\)/],
      [notConnected, /Temporal is unreachable \(the API is not connected to Temporal\)/],
    ] as const) {
      const res = await fetch(`${api.url}/console/reconciliation`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toMatch(reason);
      expect(html).toContain('last runs are from the audit store only');
      const rows = rowsOf(html);
      // GitHub's only run failed as a whole and was never recorded: without its workflow it is unknown.
      expect(Object.keys(rows)).toEqual(['slack']);
      expect(rows.slack!.source).toBe('audit store');
      expect(rows.slack!.cells[2]).toContain('1 active-leaver');
      expect(rows.slack!.cells[3]).toBe('1 of 1 deactivated: RC2 deactivated');
      expect(rows.slack!.cells[5]).toBe('unknown: Temporal unreachable');
    }
  });

  (CHROMIUM ? describe : describe.skip)('in headless Chromium', () => {
    let browser: Browser;
    let profile: string;
    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      profile = mkdtempSync(path.join(tmpdir(), 'jml-console-chromium-'));
      browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        userDataDir: profile,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('reaches the page from the navigation and shows the runs, live and with Temporal unreachable', async () => {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 700 });
      type El = { innerText: string };
      const cellTexts = () =>
        page.$$eval('#reconciliation tbody tr', (trs) =>
          trs.map((tr) =>
            Array.from(
              (tr as unknown as { querySelectorAll(s: string): ArrayLike<{ innerText: string }> }).querySelectorAll(
                'td',
              ),
            ).map((td) => td.innerText),
          ),
        );
      await page.goto(`${live.url}/console`);
      await Promise.all([page.waitForNavigation(), page.click('nav a[href="/console/reconciliation"]')]);
      const rows = await cellTexts();
      expect(rows.map((r) => r[0])).toEqual(['github', 'slack']);
      expect(rows[1]!.slice(2, 4)).toEqual(['1 active-leaver', '1 of 1 deactivated: RC2 deactivated']);
      expect(await page.$eval('#temporal-state', (el) => (el as unknown as El).innerText)).toContain(
        'next runs from the workflows',
      );
      await page.screenshot({ path: path.join(ARTIFACTS, 'reconciliation.png') as `${string}.png`, fullPage: true });

      await page.goto(`${unreachable.url}/console/reconciliation`);
      expect(await page.$eval('#temporal-state', (el) => (el as unknown as El).innerText)).toMatch(
        /^Temporal is unreachable/,
      );
      expect((await cellTexts())[0]![5]).toBe('unknown: Temporal unreachable');
      await page.screenshot({
        path: path.join(ARTIFACTS, 'reconciliation-temporal-unreachable.png') as `${string}.png`,
        fullPage: true,
      });
      await page.close();
    });
  });
});
