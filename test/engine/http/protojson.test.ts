import type { temporal } from '@temporalio/proto';
import { root, type Plain } from '../../../engine/proto';
import {
  formatDuration,
  formatTimestamp,
  messageFromJson,
  paramsToJson,
  parseDuration,
  parseTimestamp,
  toProtoJson,
} from '../../../engine/http/protojson';

const type = (name: string) => root.lookupType(name);

describe('protojson: well-known types', () => {
  it.each([
    [0, 0, '1970-01-01T00:00:00Z'],
    [1767225600, 500_000_000, '2026-01-01T00:00:00.500Z'],
    [1767225600, 1_000, '2026-01-01T00:00:00.000001Z'],
    [1767225600, 7, '2026-01-01T00:00:00.000000007Z'],
  ])('formats Timestamp %s s %s ns as %s and parses it back', (seconds, nanos, text) => {
    expect(formatTimestamp(seconds, nanos)).toBe(text);
    expect(parseTimestamp(text)).toEqual({ seconds, nanos });
  });

  it('parses offsets and rejects non-RFC 3339 text', () => {
    expect(parseTimestamp('2026-01-01T02:00:00+02:00')).toEqual({ seconds: 1767225600, nanos: 0 });
    expect(() => parseTimestamp('yesterday')).toThrow(/RFC 3339/);
  });

  it.each([
    [1, 500_000_000, '1.500s'],
    [30, 0, '30s'],
    [0, 0, '0s'],
    [-1, -500_000_000, '-1.500s'],
  ])('formats Duration %s s %s ns as %s and parses it back', (seconds, nanos, text) => {
    expect(formatDuration(seconds, nanos)).toBe(text);
    expect(parseDuration(text)).toEqual({ seconds, nanos });
  });

  it('parses "1.5s" and rejects durations without the s suffix', () => {
    expect(parseDuration('1.5s')).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(() => parseDuration('90')).toThrow(/"s" suffix/);
  });
});

describe('protojson: messages to JSON', () => {
  it('writes an execution info as the gateway does', () => {
    const json = toProtoJson(type('temporal.api.workflow.v1.WorkflowExecutionInfo'), {
      execution: { workflowId: 'employee-E1', runId: 'r1' },
      type: { name: 'employeeWorkflow' },
      startTime: { seconds: 1767225600, nanos: 250_000_000 },
      status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
      historyLength: 12,
      historySizeBytes: 4096,
      stateTransitionCount: 0,
      memo: { fields: { note: { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"hi"') } } },
      taskQueue: '',
    });
    expect(json).toEqual({
      execution: { workflowId: 'employee-E1', runId: 'r1' },
      type: { name: 'employeeWorkflow' },
      startTime: '2026-01-01T00:00:00.250Z',
      status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
      historyLength: '12',
      historySizeBytes: '4096',
      memo: {
        fields: {
          note: {
            metadata: { encoding: Buffer.from('json/plain').toString('base64') },
            data: Buffer.from('"hi"').toString('base64'),
          },
        },
      },
    });
  });

  it('omits proto3 defaults: zero numbers, empty strings, unspecified enums, empty bytes and lists', () => {
    const json = toProtoJson(type('temporal.api.common.v1.Payload'), { metadata: {}, data: Buffer.alloc(0) });
    expect(json).toEqual({});
    const res = toProtoJson(type('temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse'), {
      executions: [],
      nextPageToken: Buffer.alloc(0),
    });
    expect(res).toEqual({});
    expect(
      toProtoJson(type('temporal.api.workflow.v1.WorkflowExecutionInfo'), { status: 0, historyLength: 0 }),
    ).toEqual({});
  });

  it('writes page tokens as base64 and durations in events', () => {
    const json = toProtoJson(type('temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse'), {
      history: {
        events: [
          {
            eventId: 5,
            eventTime: { seconds: 1767225600, nanos: 0 },
            eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
            activityTaskScheduledEventAttributes: {
              activityId: '1',
              startToCloseTimeout: { seconds: 120, nanos: 0 },
              heartbeatTimeout: { seconds: 1, nanos: 500_000_000 },
            },
          },
        ],
      },
      nextPageToken: Buffer.from('{"next":6}'),
    }) as { history: { events: Record<string, unknown>[] }; nextPageToken: string };
    expect(json.nextPageToken).toBe(Buffer.from('{"next":6}').toString('base64'));
    expect(json.history.events[0]).toEqual({
      eventId: '5',
      eventTime: '2026-01-01T00:00:00Z',
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
      activityTaskScheduledEventAttributes: {
        activityId: '1',
        startToCloseTimeout: '120s',
        heartbeatTimeout: '1.500s',
      },
    });
  });

  it('writes google.protobuf wrappers as their value', () => {
    const json = toProtoJson(type('temporal.api.taskqueue.v1.TaskQueueMetadata'), {
      maxTasksPerSecond: { value: 2.5 },
    });
    expect(json).toEqual({ maxTasksPerSecond: 2.5 });
  });
});

describe('protojson: JSON and query parameters to requests', () => {
  it('reads a query request body into the engine form', () => {
    const req = messageFromJson(type('temporal.api.workflowservice.v1.QueryWorkflowRequest'), {
      execution: { workflowId: 'employee-E1', runId: 'r1' },
      query: {
        queryType: 'status',
        queryArgs: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'e30=' }] },
      },
      queryRejectCondition: 'QUERY_REJECT_CONDITION_NONE',
    }) as Plain<temporal.api.workflowservice.v1.IQueryWorkflowRequest>;
    expect(req.execution).toEqual({ workflowId: 'employee-E1', runId: 'r1' });
    expect(req.query?.queryType).toBe('status');
    const payload = req.query?.queryArgs?.payloads?.[0];
    expect(Buffer.from(payload?.metadata?.encoding ?? '').toString()).toBe('json/plain');
    expect(Buffer.from(payload?.data ?? '').toString()).toBe('{}');
    expect(req.queryRejectCondition).toBe('QUERY_REJECT_CONDITION_NONE');
  });

  it('reads dotted, snake_case query parameters with strings for numbers, booleans and enums', () => {
    const params = new URLSearchParams(
      'execution.runId=r1&waitNewEvent=true&maximum_page_size=20&next_page_token=eyJuZXh0Ijo2fQ%3D%3D&historyEventFilterType=2',
    );
    const req = messageFromJson(
      type('temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest'),
      paramsToJson(params),
    );
    expect(req).toEqual({
      execution: { runId: 'r1' },
      waitNewEvent: true,
      maximumPageSize: 20,
      nextPageToken: Buffer.from('{"next":6}'),
      historyEventFilterType: 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT',
    });
  });

  it('names the field and the fix for bad input', () => {
    const t = type('temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest');
    expect(() => messageFromJson(t, { maximumPageSize: 'many' })).toThrow(/maximumPageSize must be a number/);
    expect(() => messageFromJson(t, { waitNewEvent: 'yes' })).toThrow(/waitNewEvent must be true or false/);
    expect(() => messageFromJson(t, { historyEventFilterType: 'LOUD' })).toThrow(
      /historyEventFilterType must be one of HISTORY_EVENT_FILTER_TYPE_UNSPECIFIED/,
    );
    expect(() =>
      messageFromJson(type('temporal.api.workflowservice.v1.StartWorkflowExecutionRequest'), {
        workflowRunTimeout: '10 minutes',
      }),
    ).toThrow(/workflowRunTimeout.*"s" suffix/);
  });

  it('round-trips a signal request through JSON', () => {
    const t = type('temporal.api.workflowservice.v1.SignalWorkflowExecutionRequest');
    const plain = {
      namespace: 'default',
      workflowExecution: { workflowId: 'w' },
      signalName: 'add',
      input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }] },
    };
    const back = messageFromJson(t, JSON.parse(JSON.stringify(toProtoJson(t, plain))) as never);
    expect(toProtoJson(t, back)).toEqual(toProtoJson(t, plain));
  });
});
