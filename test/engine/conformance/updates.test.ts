/**
 * Conformance: Workflow Updates through the unchanged client and worker. An accepted Update
 * returns its result and is recorded as WorkflowExecutionUpdateAccepted/Completed; a validator's
 * rejection reaches the caller and leaves the history exactly as it was; a handler that throws
 * fails the Update, not the workflow; Updates sent while a workflow task is in flight, mixed
 * with signals, polled for later, carried across a worker restart, repeated with the same id,
 * and sent to a closed workflow behave as on a real server.
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { deferred, eventually, startHarness, type Harness } from './harness';
import {
  addUpdate,
  finishSignal,
  logQuery,
  noteSignal,
  refuseUpdate,
  releaseSignal,
  waitForReleaseUpdate,
  type CounterResult,
} from './workflows/updates';

jest.setTimeout(60_000);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

type Deferred = ReturnType<typeof deferred<void>>;
const gates = new Map<string, { started: Deferred; release: Deferred }>();
const gate = (key: string) => gates.get(key) ?? gates.set(key, { started: deferred(), release: deferred() }).get(key)!;

const activities = {
  async slowLocal(key: string): Promise<string> {
    gate(key).started.resolve();
    await gate(key).release.promise;
    return 'local done';
  },
};

async function events(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

const accepted = (evs: HistoryEvent[]) => evs.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
const completed = (evs: HistoryEvent[]) => evs.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes);
const acceptedIds = (evs: HistoryEvent[]) =>
  accepted(evs).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.protocolInstanceId);
const shape = (evs: HistoryEvent[]) => evs.map((e) => [Number(e.eventId), e.eventType]);

/** The Update's failure as the caller sees it: WorkflowUpdateFailedError with the workflow's failure as cause. */
async function updateFailure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as Error;
}

describe('conformance: workflow updates', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'updates.ts', activities });
  });

  afterAll(async () => {
    await h?.teardown();
  });

  it('returns the result of an accepted Update and records it as accepted, then completed', async () => {
    const handle = await h.start<CounterResult>('counter');
    // Sent before the first workflow task ran: it rides on that task.
    await expect(handle.executeUpdate(addUpdate, { args: [2], updateId: 'first' })).resolves.toBe(2);
    await expect(handle.executeUpdate(addUpdate, { args: [3] })).resolves.toBe(5);
    const evs = await events(handle);
    expect(acceptedIds(evs)).toHaveLength(2);
    const first = accepted(evs)[0];
    const attrs = first.workflowExecutionUpdateAcceptedEventAttributes!;
    expect(attrs.protocolInstanceId).toBe('first');
    expect(attrs.acceptedRequest?.input?.name).toBe('add');
    expect(attrs.acceptedRequest?.meta?.updateId).toBe('first');
    const done = completed(evs)[0].workflowExecutionUpdateCompletedEventAttributes!;
    expect(Number(done.acceptedEventId)).toBe(Number(first.eventId));
    expect(done.meta?.updateId).toBe('first');
    expect(done.outcome?.success?.payloads).toHaveLength(1);
    await handle.signal(finishSignal);
    await expect(handle.result()).resolves.toEqual({ total: 5, log: ['add 2', 'add 3'] });
  });

  it('rejects an Update in the validator without writing any event', async () => {
    const handle = await h.start<CounterResult>('counter');
    await handle.executeUpdate(addUpdate, { args: [1] });
    const before = await events(handle);
    const cause = await updateFailure(handle.executeUpdate(addUpdate, { args: [-4], updateId: 'negative' }));
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.message).toBe('cannot add -4: the counter only goes up');
    // Not even the workflow task that carried it: the history is exactly what it was.
    const after = await events(handle);
    expect(shape(after)).toEqual(shape(before));
    // A rejected Update leaves nothing to poll for.
    await expect(handle.getUpdateHandle('negative').result()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // The workflow goes on, and the next task's events follow on from the ones before.
    await expect(handle.executeUpdate(addUpdate, { args: [2] })).resolves.toBe(3);
    await handle.signal(finishSignal);
    await expect(handle.result()).resolves.toEqual({ total: 3, log: ['add 1', 'add 2'] });
    const ids = (await events(handle)).map((e) => Number(e.eventId));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
  });

  it('rejects an Update the workflow has no handler for', async () => {
    const handle = await h.start<CounterResult>('counter');
    const cause = await updateFailure(handle.executeUpdate('noSuchUpdate', { args: [] }));
    expect(cause.message).toContain('noSuchUpdate');
    expect(accepted(await events(handle))).toHaveLength(0);
    await handle.signal(finishSignal);
    await handle.result();
  });

  it('fails the Update, not the workflow, when its handler throws', async () => {
    const handle = await h.start<CounterResult>('counter');
    const cause = await updateFailure(handle.executeUpdate(refuseUpdate, { args: ['not today'] }));
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('Refused');
    expect(cause.message).toBe('not today');
    const evs = await events(handle);
    expect(accepted(evs)).toHaveLength(1);
    const outcome = completed(evs)[0].workflowExecutionUpdateCompletedEventAttributes?.outcome;
    expect(outcome?.failure?.message).toBe('not today');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await expect(handle.executeUpdate(addUpdate, { args: [7] })).resolves.toBe(7);
    await handle.signal(finishSignal);
    await expect(handle.result()).resolves.toEqual({ total: 7, log: ['add 7'] });
  });

  it('delivers an Update sent while a workflow task is in flight in the next task', async () => {
    const key = randomUUID();
    const handle = await h.start<CounterResult>('heldFirstTask', { args: [key] });
    await gate(key).started.promise;
    const update = handle.executeUpdate(addUpdate, { args: [10] });
    // Let the request reach the server while the first task is still open.
    await new Promise((resolve) => setTimeout(resolve, 200));
    gate(key).release.resolve();
    await expect(update).resolves.toBe(10);
    await expect(handle.result()).resolves.toEqual({ total: 10, log: ['local done', 'add 10'] });
    const evs = await events(handle);
    const firstTaskCompleted = evs.findIndex((e) => e.workflowTaskCompletedEventAttributes);
    const acceptedAt = evs.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(acceptedAt).toBeGreaterThan(firstTaskCompleted);
  });

  it('moves an Update the workflow never saw to the run it continued as new to', async () => {
    const key = randomUUID();
    const handle = await h.start<number>('continuing', { args: [key] });
    await gate(key).started.promise;
    const update = handle.executeUpdate(addUpdate, { args: [20] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    gate(key).release.resolve();
    await expect(update).resolves.toBe(21);
    await expect(handle.result()).resolves.toBe(21);
    const first = await h.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    expect(accepted(first.events ?? [])).toHaveLength(0);
    expect(acceptedIds(await events(h.env.client.workflow.getHandle(handle.workflowId)))).toHaveLength(1);
  });

  it('interleaves Updates and signals in the order they were sent, and under concurrency loses none', async () => {
    const handle = await h.start<CounterResult>('counter');
    await handle.signal(noteSignal, 'a');
    await handle.executeUpdate(addUpdate, { args: [1] });
    await handle.signal(noteSignal, 'b');
    await handle.executeUpdate(addUpdate, { args: [2] });
    await expect(handle.query(logQuery)).resolves.toEqual(['signal a', 'add 1', 'signal b', 'add 2']);

    const results = await Promise.all([
      ...[1, 2, 3, 4, 5].map((n) => handle.executeUpdate(addUpdate, { args: [n * 10] })),
      ...['c', 'd', 'e'].map((note) => handle.signal(noteSignal, note)),
      handle.executeUpdate(addUpdate, { args: [-1] }).catch((e: unknown) => e),
    ]);
    const totals = results.slice(0, 5) as number[];
    expect(new Set(totals).size).toBe(5);
    expect(Math.max(...totals)).toBe(153);
    expect(results[8]).toBeInstanceOf(WorkflowUpdateFailedError);
    await handle.signal(finishSignal);
    const { total, log }: CounterResult = await handle.result();
    expect(total).toBe(153);
    const signals = log.filter((l) => l.startsWith('signal')).sort();
    expect(signals).toEqual(['signal a', 'signal b', 'signal c', 'signal d', 'signal e']);
    expect(log.filter((l) => l.startsWith('add'))).toHaveLength(7);
    expect(acceptedIds(await events(handle))).toHaveLength(7);
  });

  it('answers a poll for the outcome of an accepted Update once it completes', async () => {
    const handle = await h.start<CounterResult>('counter');
    const key = randomUUID();
    const upd = await handle.startUpdate(waitForReleaseUpdate, {
      args: [key],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    let evs = await events(handle);
    expect(acceptedIds(evs)).toEqual([upd.updateId]);
    expect(completed(evs)).toHaveLength(0);
    // A handle obtained by id alone polls with PollWorkflowExecutionUpdate.
    const polled = h.env.client.workflow.getHandle(handle.workflowId).getUpdateHandle<string>(upd.updateId).result();
    const settled = jest.fn();
    void polled.then(settled, settled);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).not.toHaveBeenCalled();
    await handle.signal(releaseSignal, key);
    await expect(polled).resolves.toBe(`released ${key}`);
    await expect(upd.result()).resolves.toBe(`released ${key}`);
    evs = await events(handle);
    expect(completed(evs)).toHaveLength(1);
    await handle.signal(finishSignal);
    await handle.result();
  });

  it('de-duplicates an Update by id, and still answers it once the workflow has closed', async () => {
    const handle = await h.start<CounterResult>('counter');
    const updateId = `add-${randomUUID()}`;
    await expect(handle.executeUpdate(addUpdate, { args: [4], updateId })).resolves.toBe(4);
    await expect(handle.executeUpdate(addUpdate, { args: [4], updateId })).resolves.toBe(4);
    expect(acceptedIds(await events(handle))).toEqual([updateId]);
    await handle.signal(finishSignal);
    await expect(handle.result()).resolves.toEqual({ total: 4, log: ['add 4'] });
    await expect(handle.executeUpdate(addUpdate, { args: [4], updateId })).resolves.toBe(4);
  });

  it('refuses a new Update on a closed workflow with WorkflowNotFoundError', async () => {
    const handle = await h.start<CounterResult>('counter');
    await handle.signal(finishSignal);
    await handle.result();
    const err = await handle.executeUpdate(addUpdate, { args: [1] }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(WorkflowNotFoundError);
    expect((err as Error).message).toMatch(/already completed/);
    const missing = h.env.client.workflow.getHandle(`missing-${randomUUID()}`);
    await expect(missing.executeUpdate(addUpdate, { args: [1] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('completes an accepted Update after the worker restarts', async () => {
    const handle = await h.start<CounterResult>('counter');
    const key = randomUUID();
    const upd = await handle.startUpdate(waitForReleaseUpdate, {
      args: [key],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    await h.stopWorker();
    await h.runWorker();
    // The new worker rebuilds the handler from the Accepted event and completes it on the signal.
    await handle.signal(releaseSignal, key);
    await expect(upd.result()).resolves.toBe(`released ${key}`);
    const evs = await eventually(
      () => events(handle),
      (e) => completed(e).length === 1,
    );
    expect(acceptedIds(evs)).toEqual([upd.updateId]);
    await handle.signal(finishSignal);
    await expect(handle.result()).resolves.toEqual({ total: 0, log: [`released ${key}`] });
  });

  it('histories with Updates replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
