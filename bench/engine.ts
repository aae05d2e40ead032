/**
 * `npm run bench -- engine`: workflows per second through the engine and the SDK worker, for a
 * one-activity workflow and for the employee pattern (signal-with-start, an activity, a child
 * with one activity per app, an activity). The embedded engine runs as its own process
 * (`jml engine`), measured with sticky execution on and, as the baseline, off (every task to
 * the normal queue with the full history, as before the engine had it); with TEMPORAL_ADDRESS
 * set, that server instead (always sticky). The worker and the client run in this process.
 * Prints a table and writes bench/results/engine-<timestamp>.json. Numbers, never assertions.
 *
 *   npm run bench -- engine [--workflows 500] [--apps 5] [--sticky both|on|off]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { describeMachine, machine, pool, writeResults } from './common';
import { cpuSeconds, peakRssMiB, startJml, waitForLine, type Proc } from './processes';

const { values } = parseArgs({
  options: {
    workflows: { type: 'string', default: '500' },
    apps: { type: 'string', default: '5' },
    sticky: { type: 'string', default: 'both' },
  },
});
const WORKFLOWS = Number(values.workflows);
const APPS = Number(values.apps);
const external = process.env.TEMPORAL_ADDRESS;
const modes: boolean[] = external
  ? [true]
  : values.sticky === 'on'
    ? [true]
    : values.sticky === 'off'
      ? [false]
      : [false, true];

interface Measured {
  scenario: string;
  sticky: boolean;
  workflows: number;
  seconds: number;
  perSecond: number;
  workflowTasksPerWorkflow: number;
  eventsPerWorkflow: number;
  engineCpuSeconds?: number;
  benchCpuSeconds?: number;
}

const activities = {
  async noop(label: string): Promise<string> {
    return label;
  },
};

async function measure(
  client: Client,
  taskQueue: string,
  scenario: 'oneActivity' | 'employeeLike',
  engine: Proc | undefined,
  sticky: boolean,
): Promise<Measured> {
  const ids = Array.from({ length: WORKFLOWS }, (_, i) => `bench-${scenario}-${sticky ? 's' : 'n'}-${Date.now()}-${i}`);
  const [engineCpu0, selfCpu0] = [cpuSeconds(engine?.child.pid), process.cpuUsage()];
  const started = Date.now();
  const handles: WorkflowHandle[] = [];
  await pool(ids, 50, async (workflowId) => {
    handles.push(
      scenario === 'oneActivity'
        ? await client.workflow.start('oneActivity', { taskQueue, workflowId })
        : await client.workflow.signalWithStart('employeeLike', {
            taskQueue,
            workflowId,
            args: [APPS],
            signal: 'event',
            signalArgs: ['hire'],
          }),
    );
  });
  await pool(handles, 100, async (h) => void (await h.result()));
  const seconds = (Date.now() - started) / 1000;
  const self = process.cpuUsage(selfCpu0);
  const history = await handles[0]!.fetchHistory();
  const events = history.events ?? [];
  const tasks = events.filter((e) => e.workflowTaskCompletedEventAttributes).length;
  let childTasks = 0;
  let childEvents = 0;
  if (scenario === 'employeeLike') {
    const childStarted = events.find(
      (e) => e.childWorkflowExecutionStartedEventAttributes,
    )!.childWorkflowExecutionStartedEventAttributes!;
    const child = await client.workflow.getHandle(childStarted.workflowExecution!.workflowId!).fetchHistory();
    childTasks = (child.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;
    childEvents = child.events?.length ?? 0;
  }
  const engineCpu = cpuSeconds(engine?.child.pid);
  return {
    scenario,
    sticky,
    workflows: WORKFLOWS,
    seconds,
    perSecond: WORKFLOWS / seconds,
    workflowTasksPerWorkflow: tasks + childTasks,
    eventsPerWorkflow: events.length + childEvents,
    engineCpuSeconds: engineCpu !== undefined && engineCpu0 !== undefined ? engineCpu - engineCpu0 : undefined,
    benchCpuSeconds: (self.user + self.system) / 1e6,
  };
}

async function runMode(sticky: boolean): Promise<{ results: Measured[]; enginePeakRssMiB?: number }> {
  let engine: Proc | undefined;
  let address = external;
  if (!address) {
    engine = startJml('engine', ['engine', '--port', '0', ...(sticky ? [] : ['--no-sticky'])]);
    address = (await waitForLine(engine, /listening on (\S+)/))[1]!;
  }
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = `bench-engine-${Date.now()}`;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    workflowBundle: await bundle(),
    activities,
  });
  const running = worker.run();
  try {
    const results: Measured[] = [];
    for (const scenario of ['oneActivity', 'employeeLike'] as const) {
      process.stdout.write(`  ${scenario}, sticky ${sticky ? 'on' : 'off'}: ${WORKFLOWS} workflows… `);
      const m = await measure(client, taskQueue, scenario, engine, sticky);
      process.stdout.write(`${m.seconds.toFixed(1)} s\n`);
      results.push(m);
    }
    return { results, enginePeakRssMiB: peakRssMiB(engine?.child.pid) };
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await engine?.stop();
  }
}

let bundled: Awaited<ReturnType<typeof bundleWorkflowCode>> | undefined;
async function bundle() {
  bundled ??= await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'engine-workflows.ts'),
    logger: new DefaultLogger('WARN'),
  });
  return bundled;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const at = new Date().toISOString();
  console.log(
    `engine benchmark: ${WORKFLOWS} workflows per scenario, employee pattern with ${APPS} apps; ${external ? `server ${external}` : 'embedded engine'}`,
  );
  console.log(describeMachine());
  const all: Measured[] = [];
  const engineRss: Record<string, number | undefined> = {};
  for (const sticky of modes) {
    const { results, enginePeakRssMiB } = await runMode(sticky);
    all.push(...results);
    engineRss[sticky ? 'sticky' : 'notSticky'] = enginePeakRssMiB;
  }
  const perWorkflowMs = (s: number | undefined) => (s === undefined ? '–' : ((s * 1000) / WORKFLOWS).toFixed(1));
  console.log(
    '\n| scenario | sticky | workflows/s | wall | workflow tasks | events | engine CPU ms | worker + client CPU ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const m of all) {
    const cells = [
      m.scenario,
      m.sticky ? 'on' : 'off',
      m.perSecond.toFixed(1),
      `${m.seconds.toFixed(1)} s`,
      m.workflowTasksPerWorkflow,
      m.eventsPerWorkflow,
      perWorkflowMs(m.engineCpuSeconds),
      perWorkflowMs(m.benchCpuSeconds),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log('(workflow tasks, events and CPU per workflow; the employee pattern counts its child too)');
  const file = writeResults('engine', {
    at,
    machine: machine(),
    server: external ?? 'embedded',
    apps: APPS,
    results: all,
    enginePeakRssMiB: engineRss,
    benchPeakRssMiB: peakRssMiB('self'),
  } as { at: string });
  console.log(`\nresults: ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
