/**
 * `jml dev` start-up as a process: a busy port stops it at once, naming the port, what wanted
 * it and the option that moves it (no stack trace, no hang); a connector whose baseUrl is a
 * remote host is used as it is — never replaced by a stand-in — and the banner says which app
 * is which.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isLocalHost } from '../../../workers/dev';

jest.setTimeout(120_000);
const ROOT = path.join(__dirname, '../../..');
const exec = promisify(execFile);

async function listen(port = 0): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

async function freePort(): Promise<number> {
  const s = await listen();
  const port = portOf(s);
  await new Promise((r) => s.close(r));
  return port;
}

/** A copy of config/ whose local connectors listen on free ports (other tests use the shipped ones). */
async function configCopy(edit: (id: string, yaml: string) => string = (_id, y) => y): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jml-dev-config-'));
  cpSync(path.join(ROOT, 'config'), dir, { recursive: true });
  for (const file of readdirSync(path.join(dir, 'connectors'))) {
    const p = path.join(dir, 'connectors', file);
    const port = await freePort();
    const yaml = readFileSync(p, 'utf8').replace(
      /baseUrl: http:\/\/127\.0\.0\.1:\d+/,
      `baseUrl: http://127.0.0.1:${port}`,
    );
    writeFileSync(p, edit(file.replace(/\.yaml$/, ''), yaml));
  }
  return dir;
}

async function jmlDev(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jml-dev-data-'));
  const argv = [path.join(ROOT, 'bin/jml.js'), 'dev', '--no-ui-build', '--data-dir', dataDir, ...args];
  try {
    const { stdout, stderr } = await exec(process.execPath, argv, {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

test('busy ports: each is named with what wanted it and the option that moves it; the process exits', async () => {
  const engine = await listen();
  const api = await listen();
  const app = await listen();
  const config = await configCopy((id, yaml) =>
    id === 'github' ? yaml.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${portOf(app)}`) : yaml,
  );
  try {
    const r = await jmlDev([
      '--config',
      config,
      '--engine-port',
      String(portOf(engine)),
      '--api-port',
      String(portOf(api)),
      '--ui-port',
      '0',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines).toEqual([
      `jml dev: port ${portOf(engine)} (the embedded Temporal engine) is already in use: stop what is using it, or choose another with --engine-port <port>`,
      `jml dev: port ${portOf(api)} (the intake API) is already in use: stop what is using it, or choose another with --api-port <port> (or JML_API_PORT)`,
      `jml dev: port ${portOf(app)} (the stand-in SCIM server for github) is already in use: stop what is using it, or change the port of scim.baseUrl in ${path.relative(ROOT, path.join(config, 'connectors/github.yaml'))}`,
    ]);
  } finally {
    for (const s of [engine, api, app]) s.close();
  }
});

test('a connector with a remote baseUrl keeps its real app; the banner says which app is a stand-in', async () => {
  const config = await configCopy((id, yaml) =>
    id === 'slack' ? yaml.replace(/baseUrl: \S+/, 'baseUrl: https://api.slack.com/scim/v2') : yaml,
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jml-dev-data-'));
  const env = { ...process.env, TEMPORAL_ADDRESS: '', SLACK_SCIM_TOKEN: '', LOG_LEVEL: 'warn' };
  const args = [
    path.join(ROOT, 'bin/jml.js'),
    'dev',
    '--no-ui-build',
    '--config',
    config,
    '--data-dir',
    dataDir,
    '--engine-port',
    '0',
    '--api-port',
    '0',
    '--ui-port',
    '0',
  ];
  const dev = spawn(process.execPath, args, { cwd: ROOT, env });
  let output = '';
  dev.stdout.on('data', (c: Buffer) => (output += c.toString()));
  dev.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((resolve) => dev.once('exit', resolve));
  for (let i = 0; i < 900 && !output.includes('jml dev stack ready') && dev.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 100));
  dev.kill('SIGINT');
  await exited;
  expect(output).toContain('jml dev stack ready');
  expect(output).toMatch(
    /slack {4}https:\/\/api\.slack\.com\/scim\/v2 {3}\(the real app: its baseUrl is a remote host; credential env:SLACK_SCIM_TOKEN, NOT SET\)/,
  );
  expect(output).toMatch(
    /github {3}http:\/\/127\.0\.0\.1:\d+\/scim\/v2 {3}\(stand-in: reference SCIM server on this machine\)/,
  );
  expect(output).not.toMatch(/slack .*stand-in/);
});

test('hosts a stand-in answers for', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'app.localhost', '[::1]', '::1'])
    expect(isLocalHost(host)).toBe(true);
  for (const host of ['api.slack.com', '10.0.0.5', '0.0.0.0', 'localhost.example.com', '128.0.0.1'])
    expect(isLocalHost(host)).toBe(false);
});
