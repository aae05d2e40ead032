/**
 * The engine's HTTP API over real HTTP: the `/api/v1` routes the Temporal UI calls, answered
 * in protojson for real workflows run by the SDK's worker on the engine, plus the built UI's
 * static files with the SPA fallback.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startEngine, type EngineHandle } from '../../../engine';
import { startHttpApi, type HttpApiHandle } from '../../../engine/http';
import { bundle } from '../conformance/harness';

jest.setTimeout(60_000);

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();
const jsonPayload = (v: unknown) => ({ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(v)) });

describe('engine HTTP API (/api/v1) and the UI files', () => {
  let engine: EngineHandle;
  let http: HttpApiHandle;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let uiDir: string;
  const taskQueue = `http-${Date.now()}`;
  const ns = 'default';

  async function get(p: string): Promise<{ status: number; body: J; headers: Headers }> {
    const res = await fetch(`${http.url}${p}`);
    return { status: res.status, headers: res.headers, body: (await res.json()) as J };
  }

  async function post(p: string, body: unknown = {}): Promise<{ status: number; body: J }> {
    const res = await fetch(`${http.url}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as J };
  }

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Installed by another test in this process.
    }
    uiDir = mkdtempSync(path.join(os.tmpdir(), 'jml-ui-'));
    writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>Temporal UI</title>');
    mkdirSync(path.join(uiDir, '_app', 'immutable'), { recursive: true });
    writeFileSync(path.join(uiDir, '_app', 'immutable', 'start.js'), 'export {};');
    engine = await startEngine({ timeSkipping: false });
    http = await startHttpApi({ engine: engine.engine, port: 0, uiDir, uiVersion: '2.38.0' });
    nativeConnection = await NativeConnection.connect({ address: engine.address });
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: await bundle('client-api.ts'),
      activities: { block: async (k: string) => k },
    });
    running = worker.run();
    connection = await Connection.connect({ address: engine.address });
    client = new Client({ connection });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await nativeConnection?.close();
    await http?.close();
    await engine?.stop();
  });

  it('reports settings the UI needs: a version ≥ 2.23 and the write actions the engine lacks disabled', async () => {
    const { status, body } = await get('/api/v1/settings');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      Version: '2.38.0',
      DefaultNamespace: 'default',
      WorkflowResetDisabled: true,
      BatchActionsDisabled: true,
      WorkflowTerminateDisabled: false,
      WorkflowSignalDisabled: false,
    });
    expect(body.Auth.Enabled).toBe(false);
  });

  it('answers cluster info, system info, namespaces and search attributes', async () => {
    expect((await get('/api/v1/cluster-info')).body.serverVersion).toMatch(/^1\.(19|[2-9]\d)\./);
    expect((await get('/api/v1/system-info')).body.capabilities.countGroupByExecutionStatus).toBe(true);
    expect((await get('/api/v1/namespaces')).body.namespaces.map((n: J) => n.namespaceInfo.name)).toContain('default');
    const described = await get(`/api/v1/namespaces/${ns}`);
    expect(described.body.namespaceInfo).toMatchObject({ name: 'default', state: 'NAMESPACE_STATE_REGISTERED' });
    expect(described.body.config.workflowExecutionRetentionTtl).toBe('259200s');
    const sa = (await get(`/api/v1/namespaces/${ns}/search-attributes`)).body;
    expect(sa.customAttributes.LifecycleEvent).toBe('INDEXED_VALUE_TYPE_KEYWORD');
    expect(sa.systemAttributes.RootWorkflowId).toBe('INDEXED_VALUE_TYPE_KEYWORD');
  });

  it('lists, counts by status, describes, reads history both ways, queries and signals a running workflow', async () => {
    const done = await client.workflow.start('echo', { taskQueue, workflowId: `echo-${taskQueue}`, args: ['hi'] });
    await done.result();
    const open = await client.workflow.start('collect', { taskQueue, workflowId: `collect-${taskQueue}`, args: [2] });
    const scope = `TaskQueue = "${taskQueue}"`;

    const list = (await get(`/api/v1/namespaces/${ns}/workflows?query=${encodeURIComponent(scope)}`)).body;
    expect(list.executions.map((e: J) => e.execution.workflowId).sort()).toEqual([
      `collect-${taskQueue}`,
      `echo-${taskQueue}`,
    ]);
    const echoInfo = list.executions.find((e: J) => e.type.name === 'echo');
    expect(echoInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
    expect(echoInfo.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(echoInfo.historyLength).toMatch(/^\d+$/);

    const counted = (
      await get(
        `/api/v1/namespaces/${ns}/workflow-count?query=${encodeURIComponent(`${scope} GROUP BY ExecutionStatus`)}`,
      )
    ).body;
    expect(counted.count).toBe('2');
    expect(
      Object.fromEntries(counted.groups.map((g: J) => [JSON.parse(unb64(g.groupValues[0].data)), g.count])),
    ).toEqual({ Running: '1', Completed: '1' });

    const wf = `/api/v1/namespaces/${ns}/workflows/${encodeURIComponent(open.workflowId)}`;
    const described = (await get(`${wf}?execution.runId=${open.firstExecutionRunId}`)).body;
    expect(described.workflowExecutionInfo).toMatchObject({
      status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
      taskQueue,
      rootExecution: { workflowId: open.workflowId },
    });
    expect(Number(described.workflowExecutionInfo.historySizeBytes)).toBeGreaterThan(0);
    expect(described.executionConfig.taskQueue.kind).toBe('TASK_QUEUE_KIND_NORMAL');

    const pollers = (await get(`/api/v1/namespaces/${ns}/task-queues/${taskQueue}?taskQueueType=1`)).body.pollers;
    expect(pollers.length).toBeGreaterThan(0);
    expect(pollers[0].lastAccessTime).toMatch(/Z$/);

    const forward = (await get(`${wf}/history?maximumPageSize=2`)).body;
    expect(forward.history.events.map((e: J) => e.eventId)).toEqual(['1', '2']);
    expect(forward.history.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(forward.history.events[0].workflowExecutionStartedEventAttributes.workflowRunTimeout ?? '0s').toMatch(/s$/);
    // The UI sends the token back as `nextPageToken` or `next_page_token`.
    for (const name of ['nextPageToken', 'next_page_token']) {
      const page2 = (await get(`${wf}/history?maximumPageSize=2&${name}=${encodeURIComponent(forward.nextPageToken)}`))
        .body;
      expect(page2.history.events[0].eventId).toBe('3');
    }
    const reverse = (await get(`${wf}/history-reverse`)).body;
    const ids = reverse.history.events.map((e: J) => Number(e.eventId));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids[ids.length - 1]).toBe(1);

    // Long poll from the end of the history: answers once the signal lands.
    const all = (await get(`${wf}/history`)).body.history.events.length;
    const token = b64(JSON.stringify({ next: all }));
    const waiting = get(`${wf}/history?waitNewEvent=true&nextPageToken=${encodeURIComponent(token)}`);
    const signalled = await post(`${wf}/signal/add`, {
      signalName: 'add',
      workflowExecution: { workflowId: open.workflowId },
      input: { payloads: [jsonPayload('a')] },
    });
    expect(signalled.status).toBe(200);
    const polled = (await waiting).body;
    expect(polled.history.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');

    const query = await post(`${wf}/query/items`, {
      execution: { workflowId: open.workflowId, runId: open.firstExecutionRunId },
      query: { queryType: 'items' },
    });
    expect(query.status).toBe(200);
    expect(JSON.parse(unb64(query.body.queryResult.payloads[0].data))).toEqual(['a']);
    const unknownQuery = await post(`${wf}/query/nope`, { query: { queryType: 'nope' } });
    expect(unknownQuery.status).toBe(400);
    expect(unknownQuery.body.message).toMatch(/nope/);

    expect(
      (await post(`${wf}/terminate?execution.runId=${open.firstExecutionRunId}`, { reason: 'done here' })).status,
    ).toBe(200);
    await expect(open.describe()).resolves.toMatchObject({ status: { name: 'TERMINATED' } });
    const raw = (await get(`${wf}/run/${open.firstExecutionRunId}/history.json`)).body;
    expect(raw.events[raw.events.length - 1].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
    expect(raw.events[raw.events.length - 1].workflowExecutionTerminatedEventAttributes.reason).toBe('done here');
  });

  it('runs an Update as the UI sends it (no wait policy: answered once accepted), and the settings offer it', async () => {
    expect((await get('/api/v1/settings')).body.WorkflowUpdateDisabled).toBe(false);
    const updates = await Worker.create({
      connection: nativeConnection,
      taskQueue: `${taskQueue}-updates`,
      workflowBundle: await bundle('updates.ts'),
      activities: { slowLocal: async (k: string) => k },
    });
    const running = updates.run();
    try {
      const handle = await client.workflow.start('counter', {
        taskQueue: `${taskQueue}-updates`,
        workflowId: `counter-${taskQueue}`,
      });
      const res = await post(`/api/v1/namespaces/${ns}/workflows/${handle.workflowId}/update/add`, {
        workflowExecution: { runId: handle.firstExecutionRunId },
        request: {
          meta: { updateId: 'ui-update-1', identity: 'ops@example.com' },
          input: { args: { payloads: [jsonPayload(5)] } },
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.updateRef).toMatchObject({
        updateId: 'ui-update-1',
        workflowExecution: { workflowId: handle.workflowId },
      });
      expect([
        'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED',
        'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
      ]).toContain(res.body.stage);
      await expect(handle.getUpdateHandle<number>('ui-update-1').result()).resolves.toBe(5);
      await handle.signal('finish');
      await expect(handle.result()).resolves.toMatchObject({ total: 5 });
    } finally {
      updates.shutdown();
      await running;
    }
  });

  it('cancels a running workflow', async () => {
    const open = await client.workflow.start('collect', { taskQueue, workflowId: `cancel-${taskQueue}`, args: [5] });
    const res = await post(`/api/v1/namespaces/${ns}/workflows/${open.workflowId}/cancel`);
    expect(res.status).toBe(200);
    await expect(open.result()).rejects.toThrow();
    await expect(open.describe()).resolves.toMatchObject({ status: { name: 'CANCELLED' } });
  });

  it('answers errors as the gateway does: status code, gRPC code and a message', async () => {
    const missing = await get(`/api/v1/namespaces/${ns}/workflows/no-such-workflow`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 5, message: expect.stringMatching(/not found/i) });
    const bad = await get(`/api/v1/namespaces/${ns}/workflows?query=${encodeURIComponent('NoSuchAttribute = 1')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/NoSuchAttribute/);
    const badParam = await get(`/api/v1/namespaces/${ns}/workflows?pageSize=lots`);
    expect(badParam.status).toBe(400);
    expect(badParam.body.message).toMatch(/pageSize must be a number/);
    const reset = await post(`/api/v1/namespaces/${ns}/workflows/x/reset`);
    expect(reset.status).toBe(501);
    expect(reset.body.message).toMatch(/ResetWorkflowExecution is not implemented/);
    expect((await get('/api/v1/nothing-here')).status).toBe(404);
    expect((await get('/api/v1/namespaces/nope')).status).toBe(404);
  });

  it('refuses what another web page could make a browser send: foreign Host, cross-origin or non-JSON writes', async () => {
    const wf = `/api/v1/namespaces/${ns}/workflows/anything/terminate`;
    const send = (headers: Record<string, string>) =>
      fetch(`${http.url}${wf}`, { method: 'POST', headers, body: '{}' });
    const textPlain = await send({ 'content-type': 'text/plain' });
    expect(textPlain.status).toBe(403);
    expect(((await textPlain.json()) as J).message).toMatch(/content-type: application\/json/);
    const crossOrigin = await send({ 'content-type': 'application/json', origin: 'https://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as J).message).toMatch(/cross-origin POST from https:\/\/evil.example refused/);
    // Same origin, as the UI sends it: through to the engine (which does not know the workflow).
    const sameOrigin = await send({ 'caller-type': 'operator', origin: http.url });
    expect(sameOrigin.status).toBe(404);
    // DNS rebinding: a foreign name resolving to 127.0.0.1.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      request(`${http.url}/api/v1/namespaces`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
    expect((await fetch(`${http.url}/api/v1/namespaces`, { headers: { host: `localhost:${http.port}` } })).status).toBe(
      200,
    );
  });

  it('serves the UI: files, immutable caching, index.html for app routes, nothing outside its folder', async () => {
    const index = await fetch(`${http.url}/`);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(await index.text()).toMatch(/Temporal UI/);
    const asset = await fetch(`${http.url}/_app/immutable/start.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    await asset.text();
    const route = await fetch(`${http.url}/namespaces/default/workflows`);
    expect(await route.text()).toMatch(/Temporal UI/);
    const escape = await fetch(`${http.url}/..%2f..%2fetc%2fpasswd`);
    expect(await escape.text()).toMatch(/Temporal UI/);
  });

  it('says how to build the UI when none is built, and a busy port is an error', async () => {
    const bare = await startHttpApi({ engine: engine.engine, port: 0 });
    try {
      const res = await fetch(`${bare.url}/`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as J).message).toMatch(/jml ui build/);
      await expect(startHttpApi({ engine: engine.engine, port: bare.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await bare.close();
    }
  });
});
