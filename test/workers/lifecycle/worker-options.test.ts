/**
 * The lifecycle worker's workflow-task settings: it holds at most 10 workflow tasks at once
 * (the rest wait in the server's queue, in its priority order, instead of each waiting on the
 * others inside the worker past the server's task timeout), and keeps the SDK's poll ratio (a
 * fifth of the polls on the normal queue: more starved the sticky queue into full-history replays).
 */
import type { Worker } from '@temporalio/worker';
import type { LifecycleWorkerOptions } from '../../../workers/lifecycle';
import { useLifecycleWorker } from '../../helpers/lifecycle-worker';

jest.setTimeout(120_000);

const lifecycle = useLifecycleWorker();

async function compiledOptions(extra: Partial<LifecycleWorkerOptions>) {
  const worker = await lifecycle.createWorker('jml-test-worker-options', extra);
  // The options are compiled when the worker is created; a worker releases its connection
  // only once it has run and shut down.
  const running = worker.run();
  worker.shutdown();
  await running;
  return worker.options;
}

function workflowTaskSlots(options: Worker['options']): unknown {
  const supplier = (options.tuner as { workflowTaskSlotSupplier?: { numSlots?: number } }).workflowTaskSlotSupplier;
  return supplier?.numSlots;
}

test("by default: 10 workflow tasks at once, the SDK's share of polls on the normal queue", async () => {
  const options = await compiledOptions({});
  expect(workflowTaskSlots(options)).toBe(10);
  expect(options.nonStickyToStickyPollRatio).toBe(0.2);
});

test('never more workflow tasks than the sticky cache holds, and the option overrides', async () => {
  expect(workflowTaskSlots(await compiledOptions({ maxCachedWorkflows: 4 }))).toBe(4);
  expect(workflowTaskSlots(await compiledOptions({ maxConcurrentWorkflowTaskExecutions: 25 }))).toBe(25);
});
