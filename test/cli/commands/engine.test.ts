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

beforeAll(async () => {
  engine = spawn(process.execPath, [join(ROOT, 'bin/jml.js'), 'engine', '--port', '0'], { cwd: ROOT });
  let out = '';
  engine.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 200 && !/listening on (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const m = /Temporal-compatible engine listening on (\S+) \(namespace default, real time\)/.exec(out);
  if (!m) throw new Error(`engine did not start: ${out}`);
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
    workflowBundle: await bundleWorkflowCode({ workflowsPath: join(ROOT, 'test/engine/workflows/basic.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }),
    activities: { echo: async (s: string) => `echo: ${s}`, flaky: async (n: number) => n },
  });
  const result = await worker.runUntil(new Client({ connection: clientConnection }).workflow.execute('echoWorkflow', { taskQueue, workflowId: `wf-${randomUUID()}`, args: ['standalone'] }));
  expect(result).toBe('echo: standalone');
  await clientConnection.close();
  await connection.close();
});
