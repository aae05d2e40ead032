/**
 * The real Temporal UI (@temporalio/ui, built in ui/) in headless Chromium over the engine's
 * HTTP API, with the lifecycle running for real: the engine in real time, the worker, the
 * reference SCIM apps. A person is hired and terminated; the test then reads what ops read —
 * the workflow list with statuses and counts, a LifecycleEvent search, the leaver's history
 * with its activity summaries, and the employee workflow's `status` query in the Queries tab.
 * Screenshots go to test-artifacts/temporal-ui/.
 *
 * Needs Debian's chromium (`bash .ci/chromium-setup.sh`) and the built UI (`npx jml ui build`):
 * without them it is skipped with a message, except in CI, where it must run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startHttpApi, type HttpApiHandle } from '../../engine/http';
import { isUiBuilt, pinnedUiVersion, UI_BUILD_DIR } from '../../cli/temporal-ui';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(180_000);

// Runs inside the page (the project compiles without the DOM library, which would change Node's types).
declare const document: { body: { innerText: string } };
type PageElement = { innerText: string; value?: string; textContent: string | null };

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const REQUIRED = Boolean(process.env.CI || process.env.JML_UI_TEST_REQUIRED);
const missing = [!CHROMIUM && 'chromium (bash .ci/chromium-setup.sh)', !isUiBuilt() && 'the built Temporal UI (npx jml ui build)'].filter(Boolean);
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'temporal-ui');
const ID = 'U1';

if (missing.length && !REQUIRED) console.warn(`Temporal UI browser test skipped: missing ${missing.join(' and ')}`);
const suite = missing.length && !REQUIRED ? describe.skip : describe;

suite('the Temporal UI in headless Chromium', () => {
  let stack: LifecycleStack;
  let http: HttpApiHandle;
  let browser: Browser;
  let page: Page;
  let profile: string;
  const runs: Record<string, { workflowId: string; runId: string }> = {};

  const visibleText = () => page.evaluate(() => document.body.innerText);
  async function waitForText(text: string | RegExp, timeout = 30_000): Promise<void> {
    const source = typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source;
    try {
      await page.waitForFunction((s: string) => new RegExp(s).test(document.body.innerText), { timeout, polling: 250 }, source);
    } catch (err) {
      await shot('failure');
      throw new Error(`"${String(text)}" did not appear on ${page.url()}:\n${(await visibleText()).slice(0, 3000)}`, { cause: err });
    }
  }
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) as `${string}.png` });

  beforeAll(async () => {
    if (missing.length) throw new Error(`CI must run the Temporal UI browser test, but ${missing.join(' and ')} is missing`);
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startLifecycleStack({ timeSkipping: false });
    http = await startHttpApi({ engine: stack.env.engine!.engine, port: 0, uiDir: UI_BUILD_DIR, uiVersion: pinnedUiVersion() });

    await stack.send(hrEvent('hire', { employeeId: ID }, { eventId: `${ID}-hire`, sequence: 1 }));
    await until(async () => (await stack.status(ID)).accounts?.every((a) => a.state === 'active') && (await stack.status(ID)).accounts!.length > 0);
    await stack.send(hrEvent('terminate', { employeeId: ID, status: 'terminated' }, { eventId: `${ID}-term`, sequence: 2 }));
    await until(async () => (await stack.status(ID)).accounts!.every((a) => a.state === 'deactivated'));
    for await (const wf of stack.env.client.workflow.list({ query: `EmployeeId = '${ID}'` })) {
      const kind = (wf.searchAttributes?.LifecycleEvent as string[] | undefined)?.[0] ?? wf.workflowId.split('-')[0]!;
      runs[kind] = { workflowId: wf.workflowId, runId: wf.runId };
    }

    profile = mkdtempSync(path.join(tmpdir(), 'jml-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await stack?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the workflow list shows the employee workflow, the joiner and the leaver, with statuses and counts', async () => {
    await page.goto(`${http.url}/namespaces/default/workflows`, { waitUntil: 'domcontentloaded' });
    await waitForText(`employee-${ID}`);
    await waitForText(runs.joiner!.workflowId);
    await waitForText(runs.leaver!.workflowId);
    const text = await visibleText();
    expect(text).toMatch(/Running/);
    expect(text).toMatch(/Completed/);
    // The status counts above the list (CountWorkflowExecutions GROUP BY ExecutionStatus).
    const counts = await page.$$eval('[test-id^="workflow-status-"], [data-testid^="workflow-status-"]', (els) => els.map((e) => (e as unknown as PageElement).innerText));
    expect(counts.join(' ')).toMatch(/\b1\s*Running/);
    expect(counts.join(' ')).toMatch(/\b2\s*Completed/);
    await shot('workflow-list');
  });

  test('a search on LifecycleEvent filters the list', async () => {
    const query = encodeURIComponent(`LifecycleEvent = "leaver"`);
    await page.goto(`${http.url}/namespaces/default/workflows?query=${query}`, { waitUntil: 'domcontentloaded' });
    await waitForText(runs.leaver!.workflowId);
    const text = await visibleText();
    expect(text).not.toContain(runs.joiner!.workflowId);
    expect(text).not.toContain(`employee-${ID}\n`);
    await shot('workflow-list-leaver-search');
  });

  test("the leaver's history shows its activities with their summaries", async () => {
    const { workflowId, runId } = runs.leaver!;
    await page.goto(`${http.url}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`, { waitUntil: 'domcontentloaded' });
    const apps = (await stack.status(ID)).accounts!.map((a) => a.app);
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) await waitForText(`deactivate ${app}`);
    await waitForText(/Completed/);
    await shot('leaver-history');
  });

  test('the status query of the employee workflow answers in the Queries tab', async () => {
    const { workflowId, runId } = runs.employee!;
    await page.goto(`${http.url}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/query`, { waitUntil: 'domcontentloaded' });
    await waitForText(/Query Type/);
    const selected = await page.$eval('#query-select', (el) => (el as unknown as PageElement).value ?? (el as unknown as PageElement).textContent);
    expect(selected).toContain('status');
    const button = await page.waitForSelector('xpath/.//button[contains(., "Query")]', { timeout: 30_000 });
    await button!.click();
    await waitForText(/"deactivated"/);
    await waitForText(`"${ID}"`);
    await shot('employee-status-query');
  });
});

async function until(check: () => Promise<boolean | undefined>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 200));
  }
}
