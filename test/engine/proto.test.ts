import {
  decode,
  encode,
  eventBytes,
  historyEvent,
  jsonPayload,
  protoType,
  timestamp,
  type HistoryEvent,
} from '../../engine/proto';

const pollResponse = protoType('temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse');
const historyResponse = protoType('temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse');
const completedResponse = protoType('temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedResponse');

function events(): HistoryEvent[] {
  return [
    {
      eventId: 1,
      eventTime: timestamp(1_700_000_000_123),
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: 'employee' },
        taskQueue: { name: 'lifecycle', kind: 'TASK_QUEUE_KIND_NORMAL' },
        input: { payloads: [jsonPayload({ employeeId: 'e-1' })] },
        workflowTaskTimeout: { seconds: 10 },
        attempt: 1,
      },
    },
    {
      eventId: 2,
      eventTime: timestamp(1_700_000_000_200),
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      workflowTaskScheduledEventAttributes: { taskQueue: { name: 'lifecycle' }, attempt: 1 },
    },
    {
      eventId: 3,
      eventTime: timestamp(1_700_000_000_250),
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      workflowTaskStartedEventAttributes: { scheduledEventId: 2, identity: 'worker', requestId: 'r-2' },
    },
  ];
}

/** What the wire carried, read back as the SDK would. */
const roundTrip = (type: typeof pollResponse, obj: Record<string, unknown>) => decode(type, encode(type, obj));

describe('encode with a history', () => {
  const task = {
    taskToken: Buffer.from('token'),
    workflowExecution: { workflowId: 'employee-1', runId: 'run-1' },
    workflowType: { name: 'employee' },
    previousStartedEventId: 0,
    startedEventId: 3,
    attempt: 1,
    workflowExecutionTaskQueue: { name: 'lifecycle', kind: 'TASK_QUEUE_KIND_NORMAL' },
    scheduledTime: timestamp(1_700_000_000_250),
  };

  it('writes the same message as converting the whole response, from cached event bytes', () => {
    const stored = events().map(historyEvent);
    const expected = decode(
      pollResponse,
      Buffer.from(pollResponse.encode(pollResponse.fromObject({ ...task, history: { events: events() } })).finish()),
    );
    // Twice: the second encoding reuses the events' cached bytes.
    expect(roundTrip(pollResponse, { ...task, history: { events: stored } })).toEqual(expected);
    expect(roundTrip(pollResponse, { ...task, history: { events: stored } })).toEqual(expected);
    expect((expected.history as { events: unknown[] }).events).toHaveLength(3);
  });

  it('accepts events given as plain objects, a partial history and an empty one (sticky)', () => {
    const stored = events().map(historyEvent);
    const partial = roundTrip(pollResponse, { ...task, history: { events: [stored[2], events()[1]] } });
    expect((partial.history as { events: { eventId: number }[] }).events.map((e) => e.eventId)).toEqual([3, 2]);
    const empty = roundTrip(pollResponse, { ...task, history: { events: [] } });
    expect(empty.workflowExecution).toEqual(task.workflowExecution);
    expect(empty.startedEventId).toBe(3);
  });

  it('keeps the other fields of a history response (page token) and one without a history', () => {
    const page = roundTrip(historyResponse, {
      history: { events: events().map(historyEvent) },
      nextPageToken: Buffer.from('p2'),
    });
    expect(Buffer.from(page.nextPageToken as Uint8Array).toString()).toBe('p2');
    expect((page.history as { events: unknown[] }).events).toHaveLength(3);
    expect(roundTrip(historyResponse, { nextPageToken: Buffer.from('x') }).history).toBeUndefined();
  });

  it('writes a workflow task handed out in a completion answer, history included, as a whole conversion would', () => {
    const plain = { workflowTask: { ...task, history: { events: events() } }, resetHistoryEventId: 0 };
    const expected = decode(
      completedResponse,
      Buffer.from(completedResponse.encode(completedResponse.fromObject(plain)).finish()),
    );
    const stored = { workflowTask: { ...task, history: { events: events().map(historyEvent) } } };
    expect(roundTrip(completedResponse, stored)).toEqual(expected);
    expect((expected.workflowTask as { history: { events: unknown[] } }).history.events).toHaveLength(3);
    expect(roundTrip(completedResponse, {})).toEqual({});
  });

  it("gives an event's wire bytes, encoded once (describe's history size sums them)", () => {
    const [event] = events().map(historyEvent);
    const bytes = eventBytes(event);
    const eventType = protoType('temporal.api.history.v1.HistoryEvent');
    expect(Buffer.from(bytes)).toEqual(Buffer.from(eventType.encode(event!).finish()));
    expect(eventBytes(event)).toBe(bytes);
  });
});
