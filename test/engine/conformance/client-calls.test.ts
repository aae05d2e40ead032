/**
 * Conformance: client calls on running and closed workflows — signal, signalWithStart, query,
 * describe (pending activities), cancel, terminate, history paging, result()'s long poll,
 * continue-as-new chains, upserted search attributes.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { deferred, eventually, startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

describe('conformance: client calls', () => {
  let h: Harness;
  const blocked = new Map<
    string,
    { started: ReturnType<typeof deferred<void>>; release: ReturnType<typeof deferred<string>> }
  >();
  const gate = (key: string) => {
    if (!blocked.has(key)) blocked.set(key, { started: deferred(), release: deferred<string>() });
    return blocked.get(key)!;
  };

  beforeAll(async () => {
    h = await startHarness({
      workflowsFile: 'client-api.ts',
      activities: {
        async block(key: string): Promise<string> {
          const g = gate(key);
          g.started.resolve();
          const timer = setInterval(() => Context.current().heartbeat(), 200);
          try {
            return await g.release.promise;
          } finally {
            clearInterval(timer);
          }
        },
      },
    });
  });

  afterAll(async () => {
    await h?.teardown();
  });

  it('delivers signals in order and answers queries while open and after close', async () => {
    const handle = await h.start('collect', { args: [3] });
    await handle.signal('add', 'a');
    await expect(
      eventually(
        () => handle.query<string[]>('items'),
        (v) => v.length === 1,
      ),
    ).resolves.toEqual(['a']);
    await handle.signal('add', 'b');
    await handle.signal('add', 'c');
    await expect(handle.result()).resolves.toEqual(['a', 'b', 'c']);
    await expect(handle.query('items')).resolves.toEqual(['a', 'b', 'c']);
  });

  it('rejects a query the workflow does not define', async () => {
    const handle = await h.start('collect', { args: [1] });
    await expect(handle.query('nope')).rejects.toThrow(/nope/);
    await handle.signal('add', 'done');
    await handle.result();
  });

  it('signalWithStart starts a workflow, then signals the same run', async () => {
    const workflowId = `sws-${randomUUID()}`;
    const opts = { taskQueue: h.taskQueue, workflowId, args: [2], signal: 'add', signalArgs: ['first'] };
    const first = await h.env.client.workflow.signalWithStart('collect', opts);
    const second = await h.env.client.workflow.signalWithStart('collect', { ...opts, signalArgs: ['second'] });
    h.track(first);
    expect(second.signaledRunId).toBe(first.signaledRunId);
    await expect(first.result()).resolves.toEqual(['first', 'second']);
  });

  it('result() long-polls and wakes when the workflow closes', async () => {
    const handle = await h.start('collect', { args: [1] });
    const result = handle.result();
    await handle.signal('add', 'late');
    await expect(result).resolves.toEqual(['late']);
  });

  it('GetWorkflowExecutionHistory with waitNewEvent long-polls for the close event', async () => {
    const handle = await h.start('collect', { args: [1] });
    const pollCloseEvent = async () => {
      // A poll may end early with no event and a token to continue with (the server's long-poll timeout).
      let token: Uint8Array | undefined;
      for (;;) {
        const page = await h.env.client.workflowService.getWorkflowExecutionHistory({
          namespace: h.env.namespace,
          execution: { workflowId: handle.workflowId },
          waitNewEvent: true,
          historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
          nextPageToken: token,
        });
        if (page.history?.events?.length || !page.nextPageToken?.length) return page.history?.events ?? [];
        token = page.nextPageToken;
      }
    };
    const closeEvent = pollCloseEvent();
    await handle.signal('add', 'close now');
    const events = await closeEvent;
    expect(events).toHaveLength(1);
    expect(events[0]?.workflowExecutionCompletedEventAttributes?.result).toBeTruthy();
  });

  it('a close-event long poll answers when the run closes, not at each event before it', async () => {
    const handle = await h.start('collect', { args: [4] });
    let answered = false;
    const poll = h.env.client.workflowService
      .getWorkflowExecutionHistory({
        namespace: h.env.namespace,
        execution: { workflowId: handle.workflowId },
        waitNewEvent: true,
        historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
      })
      .finally(() => (answered = true));
    for (const [i, item] of ['a', 'b', 'c'].entries()) {
      await handle.signal('add', item);
      // The signal and the workflow task that handled it are in the history by now.
      await eventually(
        () => handle.query<string[]>('items'),
        (v) => v.length === i + 1,
      );
      expect(answered).toBe(false);
    }
    await handle.signal('add', 'd');
    const page = await poll;
    expect(page.history?.events).toHaveLength(1);
    expect(page.history?.events?.[0]?.workflowExecutionCompletedEventAttributes?.result).toBeTruthy();
  });

  it('deduplicates a signal retried with the same request id', async () => {
    const handle = await h.start('collect', { args: [2] });
    const signal = {
      namespace: h.env.namespace,
      workflowExecution: { workflowId: handle.workflowId },
      signalName: 'add',
      input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"once"') }] },
      requestId: randomUUID(),
      identity: 'conformance',
    };
    await h.env.client.workflowService.signalWorkflowExecution(signal);
    await h.env.client.workflowService.signalWorkflowExecution(signal);
    await handle.signal('add', 'twice');
    await expect(handle.result()).resolves.toEqual(['once', 'twice']);
  });

  it('describe shows a pending activity, then the completed run', async () => {
    const key = randomUUID();
    const handle = await h.start('runsBlockingActivity', { args: [key] });
    await gate(key).started.promise;
    const open = await handle.describe();
    expect(open.status.name).toBe('RUNNING');
    expect(open.type).toBe('runsBlockingActivity');
    expect(open.taskQueue).toBe(h.taskQueue);
    expect(open.raw.pendingActivities).toHaveLength(1);
    expect(open.raw.pendingActivities?.[0]?.activityType?.name).toBe('block');
    gate(key).release.resolve('released');
    await expect(handle.result()).resolves.toBe('released');
    const closed = await handle.describe();
    expect(closed.status.name).toBe('COMPLETED');
    expect(closed.closeTime).toBeInstanceOf(Date);
    expect(closed.raw.pendingActivities ?? []).toHaveLength(0);
  });

  it('cancel ends a workflow as cancelled with CancelledFailure', async () => {
    const handle = await h.start('sleeper', { args: ['1 day'] });
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });

  it('terminate ends a workflow with TerminatedFailure and the reason', async () => {
    const handle = await h.start('collect', { args: [1] });
    await handle.terminate('conformance says stop');
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    expect((err as WorkflowFailedError).cause?.message).toBe('conformance says stop');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
  });

  it('pages a long history with next page tokens', async () => {
    const handle = await h.start('manyTimers', { args: [25] });
    await expect(handle.result()).resolves.toBe(25);
    const full = await handle.fetchHistory();
    const events: number[] = [];
    let token: Uint8Array | undefined;
    let pages = 0;
    do {
      const page = await h.env.client.workflowService.getWorkflowExecutionHistory({
        namespace: h.env.namespace,
        execution: { workflowId: handle.workflowId },
        maximumPageSize: 10,
        nextPageToken: token,
      });
      events.push(...(page.history?.events ?? []).map((e) => Number(e.eventId)));
      token = page.nextPageToken?.length ? page.nextPageToken : undefined;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(2);
    expect(events).toEqual(full.events!.map((e) => Number(e.eventId)));
    expect(events).toEqual(events.map((_, i) => i + 1));
  });

  it('reports the history length to the workflow as the id of its current WorkflowTaskStarted event', async () => {
    const handle = await h.start('typedUpserter', { args: [randomUUID(), '2026-03-01T09:00:00Z'] });
    const seen = await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    const lastStarted = events.filter((e) => e.workflowTaskStartedEventAttributes).pop();
    expect(seen).toBe(Number(lastStarted?.eventId));
  });

  it('result() follows a continue-as-new chain to the last run', async () => {
    const handle = await h.start('chain', { args: [3] });
    const { runs } = (await handle.result()) as { runs: string[] };
    expect(runs).toHaveLength(4);
    expect(new Set(runs).size).toBe(4);
    expect(runs[0]).toBe(handle.firstExecutionRunId);
    const first = await h.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    expect((await handle.describe()).runId).toBe(runs[3]);
    await expect(h.env.client.workflow.getHandle(handle.workflowId, runs[1]).result()).resolves.toEqual({ runs });
  });

  it('upserted search attributes show in describe and removal clears them', async () => {
    const tag = randomUUID();
    const handle = await h.start('upserter', { args: [tag, 5] });
    await eventually(
      () => handle.query<string[]>('items'),
      (v) => v[0] === 'upserted',
    );
    const upserted = await handle.describe();
    expect(upserted.searchAttributes).toMatchObject({ CustomKeywordField: [tag], CustomIntField: [5] });
    await handle.signal('add', 'remove');
    await eventually(
      () => handle.query<string[]>('items'),
      (v) => v[0] === 'removed',
    );
    const removed = await handle.describe();
    expect(removed.searchAttributes.CustomIntField).toBeUndefined();
    expect(removed.searchAttributes.CustomKeywordField).toEqual([tag]);
    await handle.signal('finish');
    await expect(handle.result()).resolves.toBe('removed');
  });

  it('answers INVALID_ARGUMENT to a query without a query and a namespace registration without a name', async () => {
    const handle = await h.start('collect', { args: [1] });
    const service = h.env.client.workflowService;
    const noQuery = await service
      .queryWorkflow({ namespace: h.env.namespace, execution: { workflowId: handle.workflowId } })
      .catch((e: unknown) => e);
    expect((noQuery as { code?: number }).code).toBe(grpcStatus.INVALID_ARGUMENT);
    const noName = await service.registerNamespace({}).catch((e: unknown) => e);
    expect((noName as { code?: number }).code).toBe(grpcStatus.INVALID_ARGUMENT);
    await handle.signal('add', 'a');
    await expect(handle.result()).resolves.toEqual(['a']);
  });

  it('histories of these workflows replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
