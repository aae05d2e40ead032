/**
 * The worker's log as an operator's log shipper sees it: `jml worker` as a process at info
 * level, a hire and a termination where one app keeps failing its PATCH, no alert webhook
 * configured. Every stdout line must be one JSON object without duplicate keys, no line may
 * carry a task token, an app's expected failure is a line without a stack trace, and the missing
 * webhook is said once.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { event, post, sleep, startApps, status, SECRET, TOKEN, writeConfig } from '../../../bench/common';
import { freePort, startJml, waitForLine, type Proc } from '../../../bench/processes';

jest.setTimeout(180_000);

/** Keys repeated inside one JSON object, anywhere in the text (JSON.parse silently keeps the last). */
export function duplicateKeys(text: string): string[] {
  const dupes: string[] = [];
  const stack: { keys: Set<string>; object: boolean; expectKey: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.object && top.expectKey) {
        const key = text.slice(i + 1, j);
        if (top.keys.has(key)) dupes.push(key);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') stack.push({ keys: new Set(), object: c === '{', expectKey: c === '{' });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && stack.at(-1)?.object) stack.at(-1)!.expectKey = true;
    i++;
  }
  return dupes;
}

test('duplicateKeys finds repeated keys at any depth and nothing else', () => {
  expect(duplicateKeys('{"a":1,"b":{"a":2,"c":"x,\\"a\\":"},"d":[{"a":1},{"a":2}]}')).toEqual([]);
  expect(duplicateKeys('{"component":"worker","component":"scim"}')).toEqual(['component']);
  expect(duplicateKeys('{"x":{"k":1,"k":2}}')).toEqual(['k']);
});

const work = mkdtempSync(path.join(tmpdir(), 'jml-logs-'));
const started: Proc[] = [];

afterAll(async () => {
  for (const proc of started.reverse()) await proc.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the worker log: JSON lines, no duplicate keys, no task tokens, expected failures without stacks', async () => {
  const ok = await startApps(1, [], 'ok');
  const failing = await startApps(1, ['--rate-5xx', '1', '--fault-methods', 'PATCH'], 'failing');
  started.push(...ok.apps, ...failing.apps);
  const engine = startJml('engine', ['engine', '--port', '0']);
  started.push(engine);
  const address = (await waitForLine(engine, /listening on (\S+)/))[1]!;
  writeConfig(path.join(work, 'config'), [ok.urls[0]!, failing.urls[0]!], {
    requestsPerSecond: 50,
    burst: 50,
    maxConcurrency: 4,
  });
  // As the shipped policy: the webhook comes from a variable that is not set here.
  // As the shipped policy: the webhook comes from a variable that is not set here. A 10-second
  // leaver SLA makes the stuck app's breach (and its alert) come quickly.
  appendFileSync(
    path.join(work, 'config', 'policy.yaml'),
    'notifications:\n  webhookUrl: env:JML_ALERT_WEBHOOK_URL\nslas:\n  leaver: 10s\n',
  );
  const env = {
    TEMPORAL_ADDRESS: address,
    JML_CONFIG_DIR: path.join(work, 'config'),
    JML_AUDIT_DIR: path.join(work, 'audit'),
    BENCH_SCIM_TOKEN: TOKEN,
    JML_API_HMAC_SECRETS: SECRET,
    JML_ALERT_WEBHOOK_URL: undefined,
  };
  const worker = startJml('worker', ['worker', '--metrics-port', String(await freePort())], {
    ...env,
    LOG_LEVEL: 'info',
  });
  started.push(worker);
  const apiPort = await freePort();
  const api = startJml('api', ['api', '--port', String(apiPort)], { ...env, LOG_LEVEL: 'info' });
  started.push(api);
  await waitForLine(api, /intake API listening/);
  await waitForLine(worker, /lifecycle worker running/);
  const url = `http://127.0.0.1:${apiPort}`;

  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 300 && !(await check()); i++) await sleep(250);
  };
  for (const n of [7, 8]) await post(url, event(n, 'hire', 1));
  for (const n of [7, 8])
    await until(async () => (await status(url, `B${n}`)).accounts?.filter((a) => a.state === 'active').length === 2);
  // Two leavers stuck on app02: two SLA breaches, two alerts.
  for (const n of [7, 8]) await post(url, event(n, 'terminate', 2));
  // app01 is revoked; app02's PATCH keeps failing: wait for failed attempts and both alerts.
  await until(
    async () =>
      worker.lines.filter((l) => l.includes('"Activity failed"')).length >= 2 &&
      worker.lines.filter((l) => l.includes('"msg":"ALERT')).length >= 2,
  );
  await worker.stop();

  const lines = worker.lines.filter(Boolean);
  expect(lines.length).toBeGreaterThan(5);
  const parsed = lines.map((line) => {
    expect(line.startsWith('{') && line.endsWith('}')).toBe(true);
    expect(duplicateKeys(line)).toEqual([]);
    return JSON.parse(line) as Record<string, unknown>;
  });
  const text = lines.join('\n');
  expect(text).not.toMatch(/taskToken|task_token/i);

  const failed = parsed.filter((l) => l.msg === 'Activity failed');
  expect(failed.length).toBeGreaterThanOrEqual(2);
  for (const l of failed) {
    expect(JSON.stringify(l)).not.toMatch(/\n\s+at /);
    expect(JSON.stringify(l)).toContain('SCIM_SERVER_ERROR');
  }
  // No webhook configured: said once, in one line, without a stack trace.
  expect(parsed.filter((l) => String(l.msg).startsWith('ALERT')).length).toBeGreaterThanOrEqual(2);
  const webhook = parsed.filter((l) => /webhook/i.test(String(l.msg)));
  expect(webhook).toHaveLength(1);
  expect(JSON.stringify(webhook[0])).not.toMatch(/\n\s+at /);
  // Nothing went to stderr either (bench/processes echoes it; the worker writes its logs to stdout).
  expect(worker.errLines).toEqual([]);
});
