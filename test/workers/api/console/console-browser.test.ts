/**
 * The console in headless Chromium over real lifecycle runs (engine with time skipping,
 * reference apps, the audit store on PGlite): a joiner whose GitHub step failed is never shown
 * with a green SLA badge; people are searchable and paged; a person's page shows the joiner and
 * the leaver; the provisioning log lists the SCIM requests and filters them by person, app and
 * status. Screenshots are kept in test-artifacts/console/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { request } from 'undici';
import { AuditStore } from '../../../../lib/audit';
import { resolveSecret } from '../../../../lib/config';
import { auditReadSide } from '../../../../workers/api';
import { TEST_AUDIT_KEY } from '../../../helpers/audit-targets';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../../../helpers/lifecycle-stack';
import { startApi, type RunningApi } from '../helpers';

jest.setTimeout(180_000);

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
  existsSync(p),
);
const suite = CHROMIUM ? describe : describe.skip;
if (!CHROMIUM) console.warn('console browser tests skipped: no chromium (bash .ci/chromium-setup.sh)');
const ARTIFACTS = path.join(__dirname, '..', '..', '..', '..', 'test-artifacts', 'console');

suite('the console in headless Chromium', () => {
  let store: AuditStore;
  let stack: LifecycleStack;
  let api: RunningApi;
  let browser: Browser;
  let page: Page;
  let profile: string;
  const shot = (name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: true });
  // Evaluated in the page (this project compiles without the DOM lib, hence the narrow shapes).
  type El = { dataset: Record<string, string>; innerText: string; className: string };
  const rows = (selector: string) =>
    page.$$eval(
      `${selector} tbody tr`,
      (trs) =>
        trs.map((tr) => ({ ...(tr as unknown as El).dataset, text: (tr as unknown as El).innerText })) as Array<
          Record<string, string> & { text: string }
        >,
    );
  const text = (selector: string) => page.$eval(selector, (el) => (el as unknown as El).innerText);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    store = await AuditStore.open({ key: TEST_AUDIT_KEY });
    stack = await startLifecycleStack({ auditStore: store });
    const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
    // CB1: hired, then terminated. CB2: hired into Platform, whose GitHub team was deleted: GitHub fails (not retryable).
    await stack.send(
      hrEvent(
        'hire',
        { employeeId: 'CB1', givenName: 'Grace', familyName: 'Hopper' },
        { eventId: 'CB1-hire', effectiveAt: await now(), sequence: 1 },
      ),
    );
    await stack.waitFor('CB1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    await stack.send(
      hrEvent(
        'terminate',
        { employeeId: 'CB1', givenName: 'Grace', familyName: 'Hopper', status: 'terminated' },
        { eventId: 'CB1-term', effectiveAt: await now(), sequence: 2 },
      ),
    );
    await stack.waitFor('CB1', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));
    const github = stack.apps.apps.github!;
    const platform = github.server.groups().find((g) => g.displayName === 'eng-Platform')!;
    const token = await resolveSecret('env:GITHUB_SCIM_TOKEN');
    const deleted = await request(`${github.url}/Groups/${platform.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    await deleted.body.dump();
    expect(deleted.statusCode).toBe(204);
    await stack.send(
      hrEvent(
        'hire',
        { employeeId: 'CB2', givenName: 'Alan', familyName: 'Turing', department: 'Platform' },
        { eventId: 'CB2-hire', effectiveAt: await now(), sequence: 1 },
      ),
    );
    await stack.waitFor('CB2', (s) => s.stage === 'idle' && s.failedApps.length === 1);
    // CB3: GitHub answers 503 to creates for a while, then recovers (Temporal retries).
    github.server.setFaults({ rate5xx: 1, methods: ['POST'] });
    await stack.send(
      hrEvent('hire', { employeeId: 'CB3' }, { eventId: 'CB3-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('CB3', () => github.server.requests.some((r) => r.method === 'POST' && r.status === 503));
    await stack.env.sleep(20_000);
    github.server.setFaults({});
    await stack.waitFor(
      'CB3',
      (s) => s.stage === 'idle' && s.accounts.filter((a) => a.state === 'active').length === 2,
    );
    // Milestones reach the store after the fact: wait until the failed run is recorded.
    for (let i = 0; i < 100; i++) {
      const recorded = await store.records({ employeeId: 'CB2', kind: 'milestone' });
      if (recorded.some((r) => (r.data as { kind?: string }).kind === 'lifecycle-completed')) break;
      await stack.env.sleep(1_000);
    }
    // Names reach the people directory with the milestones, after the fact.
    for (let i = 0; i < 100; i++) {
      const [cb1, cb3] = await Promise.all([store.person('CB1'), store.person('CB3')]);
      if (cb1?.status === 'terminated' && cb3) break;
      await stack.env.sleep(1_000);
    }
    // Sixty more people on record, for paging.
    for (let i = 0; i < 60; i++) {
      await store.append({
        key: `console-pp-${i}`,
        kind: 'milestone',
        employeeId: `PP${String(i).padStart(3, '0')}`,
        occurredAtMs: Date.now(),
        data: { atMs: Date.now(), kind: 'event-received', eventId: `pp-${i}` },
      });
    }
    api = await startApi(stack.env.client, auditReadSide(store, {}));
    profile = mkdtempSync(path.join(tmpdir(), 'jml-console-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.app.close();
    await stack?.stop();
    await store?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('a run with a failed app is never green', async () => {
    await page.goto(`${api.url}/console`);
    const runs = await rows('#runs');
    const joiner = runs.find((r) => r.employee === 'CB2' && r.lifecycle === 'joiner')!;
    expect(joiner.sla).toBe('failed');
    expect(joiner.text).toContain('1 failed');
    const badge = await page.$eval(
      '#runs tr[data-employee="CB2"][data-lifecycle="joiner"] .sla',
      (el) => (el as unknown as El).className,
    );
    expect(badge).toBe('sla failed');
    expect(runs.find((r) => r.employee === 'CB1' && r.lifecycle === 'leaver')!.sla).toBe('met');
    await shot('runs');
  });

  test('people: searchable and paged', async () => {
    await page.goto(`${api.url}/console/people`);
    expect(await rows('#people')).toHaveLength(50);
    expect(await text('p.nav')).toContain('page 1 of 2 (63 people)');
    await page.click('p.nav a');
    await page.waitForSelector('#people');
    expect((await rows('#people')).map((r) => r.employee)).toHaveLength(13);
    await page.goto(`${api.url}/console/people`);
    await page.type('input[name=q]', 'cb');
    await Promise.all([page.waitForNavigation(), page.click('#search button')]);
    const found = await rows('#people');
    // Ordered by name: Ada Lovelace (CB3), Alan Turing (CB2), Grace Hopper (CB1).
    expect(found.map((r) => r.employee)).toEqual(['CB3', 'CB2', 'CB1']);
    const cells = (row: { text: string }) => row.text.split('\t').map((c) => c.trim());
    expect(cells(found[2]!).slice(0, 5)).toEqual(['Grace Hopper', 'CB1', 'Engineering', 'terminated', 'leaver']);
    expect(cells(found[1]!).slice(0, 4)).toEqual(['Alan Turing', 'CB2', 'Platform', 'active']);
    await shot('people');
    // By name, and by department.
    await page.goto(`${api.url}/console/people`);
    await page.type('input[name=q]', 'hopp');
    await Promise.all([page.waitForNavigation(), page.click('#search button')]);
    expect((await rows('#people')).map((r) => r.employee)).toEqual(['CB1']);
    await page.goto(`${api.url}/console/people?q=platform`);
    expect((await rows('#people')).map((r) => r.employee)).toEqual(['CB2']);
    await page.click('#people tbody a');
    await page.waitForSelector('#history');
    expect(await text('#person')).toBe('Lifecycle history of Alan Turing (CB2), Platform — HR status active');
  });

  test("a person's page shows joiner and leaver history", async () => {
    await page.goto(`${api.url}/console/employees/CB1`);
    const history = await rows('#history');
    expect(history.map((r) => r.lifecycle).sort()).toEqual(['joiner', 'leaver']);
    expect(await text('body')).toContain('Leaver timeline for CB1');
    expect(await text('#person')).toContain('Grace Hopper (CB1)');
    await shot('employee');
  });

  test('the provisioning log lists SCIM requests and filters by person, app and status', async () => {
    await page.goto(`${api.url}/console/requests`);
    const all = await rows('#requests');
    expect(all.length).toBeGreaterThan(5);
    await page.type('input[name=employee]', 'CB3');
    await page.select('select[name=app]', 'github');
    await page.select('select[name=status]', 'failed');
    await Promise.all([page.waitForNavigation(), page.click('#filters button')]);
    expect(page.url()).toContain('employee=CB3');
    const failed = await page.$$eval('#requests tbody tr', (trs) =>
      trs.map((tr) =>
        Array.from((tr as unknown as { querySelectorAll(s: string): ArrayLike<El> }).querySelectorAll('td')).map(
          (td) => td.innerText,
        ),
      ),
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const cells of failed) {
      expect(cells[1]).toBe('CB3');
      expect(cells[2]).toBe('github');
      expect(cells[3]).toBe('create-user');
      expect(cells[5]).toBe('503');
      expect(cells[8]).toMatch(/^SCIM_SERVER_ERROR/);
    }
    await shot('provisioning-log');
    // A time window that ends before anything happened: nothing.
    await page.goto(`${api.url}/console/requests?until=2000-01-01`);
    expect((await rows('#requests'))[0]!.text).toContain('No SCIM requests match');
    await page.goto(`${api.url}/console/requests?since=yesterday-ish`);
    expect(await text('body')).toContain('From: not a date or time');
  });
});
