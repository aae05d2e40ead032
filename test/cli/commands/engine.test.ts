/**
 * `jml engine` as its own process, with a real worker and client in this process: the way
 * `jml worker` and `jml api` run against it as separate processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '../../..');
let engine: ChildProcess;
let address: string;
let output = '';

beforeAll(async () => {
  engine = spawn(process.execPath, [join(ROOT, 'bin/jml.js'), 'engine', '--port', '0'], { cwd: ROOT });
  engine.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  for (let i = 0; i < 200 && !/Temporal (UI|HTTP API) /.test(output); i++) await new Promise((r) => setTimeout(r, 50));
  const m = /Temporal-compatible engine listening on (\S+) \(namespace default, real time\)/.exec(output);
  if (!m) throw new Error(`engine did not start: ${output}`);
  address = m[1]!;
});

afterAll(async () => {
  const exited = new Promise((r) => engine.once('exit', r));
  engine.kill('SIGTERM');
  expect(await exited).toBe(0);
});

test('a worker and a client in another process run a workflow on it', async () => {
  const taskQueue = `standalone-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: join(ROOT, 'test/engine/workflows/basic.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    }),
    activities: { echo: async (s: string) => `echo: ${s}`, flaky: async (n: number) => n },
  });
  const result = await worker.runUntil(
    new Client({ connection: clientConnection }).workflow.execute('echoWorkflow', {
      taskQueue,
      workflowId: `wf-${randomUUID()}`,
      args: ['standalone'],
    }),
  );
  expect(result).toBe('echo: standalone');
  await clientConnection.close();
  await connection.close();
});

test('serves the Temporal HTTP API beside it, and a busy UI port is a clear error naming the option', async () => {
  const ui = /Temporal (?:UI {2}|HTTP API {2})(http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
  expect(ui).not.toBeNull();
  const info = (await (await fetch(`${ui![1]}/api/v1/cluster-info`)).json()) as { serverVersion?: string };
  expect(info.serverVersion).toMatch(/^1\.\d+\./);
  const busy = spawn(process.execPath, [join(ROOT, 'bin/jml.js'), 'engine', '--port', '0', '--ui-port', ui![2]!], {
    cwd: ROOT,
  });
  let err = '';
  busy.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise((r) => busy.once('exit', r));
  expect(code).toBe(2);
  expect(err).toContain(`port ${ui![2]} for the Temporal UI is in use`);
  expect(err).toContain('--ui-port');
});
