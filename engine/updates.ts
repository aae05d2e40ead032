/**
 * Workflow Updates: the registry of each run (admitted → sent → accepted → completed, or
 * rejected), delivery to the worker as protocol messages in a workflow task, the worker's
 * Acceptance/Rejection/Response messages, and the long polls of `UpdateWorkflowExecution` and
 * `PollWorkflowExecutionUpdate`. As on the server, nothing is written to the history before a
 * worker accepts an Update: a rejection leaves no event at all (see speculative tasks in
 * workflow-tasks.ts), and the request is first recorded in WorkflowExecutionUpdateAccepted.
 */
import { failedPrecondition, invalidArgument, notFound } from './errors';
import type { temporal } from '@temporalio/proto';
import { decode, encode, protoType, type Failure, type Plain } from './proto';
import { appendEvent, isOpen, type EngineCore, type Run, type RunStatus, type UpdateState } from './state';
import { scheduleWorkflowTask } from './workflow-tasks';

/** How long an Update call waits for its stage before answering with the stage reached (the server's default). */
export const UPDATE_LONG_POLL_MS = 20_000;

const TYPE_PREFIX = 'type.googleapis.com/';
const REQUEST_TYPE = 'temporal.api.update.v1.Request';

export const STAGE = {
  UNSPECIFIED: 0,
  ADMITTED: 1,
  ACCEPTED: 2,
  COMPLETED: 3,
} as const;

const STAGE_NAMES = [
  'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED',
  'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED',
  'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED',
  'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
];

/** Decoded requests carry enums as names. */
export function stageNumber(name: string | undefined): number {
  const i = name === undefined ? -1 : STAGE_NAMES.indexOf(name);
  return i < 0 ? STAGE.UNSPECIFIED : i;
}

function reached(update: UpdateState): number {
  switch (update.stage) {
    case 'accepted':
      return STAGE.ACCEPTED;
    case 'completed':
    case 'rejected':
      return STAGE.COMPLETED;
    default:
      return STAGE.ADMITTED;
  }
}

/** The failure a caller gets for an accepted Update whose workflow closed first (the server's wording). */
const ACCEPTED_UPDATE_WORKFLOW_CLOSED: Failure = {
  message: 'Workflow Update failed because the Workflow completed before the Update completed.',
  source: 'Server',
  applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
};

const UNPROCESSED_UPDATE: Failure = {
  message:
    "Workflow Update is rejected because it wasn't processed by worker. " +
    'Probably, Workflow Update is not supported by the worker.',
  source: 'Server',
  applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true },
};

function settle(update: UpdateState, change: Partial<UpdateState>): void {
  Object.assign(update, change);
  for (const wake of [...update.waiters]) wake();
}

/**
 * Admits an Update (or finds the one with the same id: repeated requests share one outcome)
 * and makes sure a workflow task will carry it.
 */
export function admitUpdate(
  core: EngineCore,
  run: Run,
  request: Plain<temporal.api.update.v1.IRequest> | undefined,
): UpdateState {
  const updateId = request?.meta?.updateId;
  if (!request || !updateId) throw invalidArgument('request.meta.updateId is required');
  if (!request.input?.name) throw invalidArgument('request.input.name (the Update name) is required');
  const existing = run.updates.get(updateId);
  if (existing) return existing;
  if (!isOpen(run)) throw notFound('workflow execution already completed');
  // A workflow whose tasks keep failing cannot take an Update; fail fast as the server does.
  if (run.wt.attempt >= 3) {
    throw failedPrecondition('Unable to perform workflow execution update due to Workflow Task in failed state.');
  }
  const update: UpdateState = { updateId, request, stage: 'admitted', waiters: new Set() };
  run.updates.set(updateId, update);
  // A scheduled task picks it up when handed out; a started one is followed by a new task.
  if (run.wt.state === 'none') scheduleWorkflowTask(core, run, 1, { speculative: true });
  return update;
}

export function hasAdmittedUpdates(run: Run): boolean {
  for (const u of run.updates.values()) if (u.stage === 'admitted') return true;
  return false;
}

export type ProtocolMessage = Plain<temporal.api.protocol.v1.IMessage>;

/** The protocol messages of a task being handed out: every admitted Update, oldest first. */
export function updateMessagesForTask(run: Run, startedEventId: number): ProtocolMessage[] {
  const messages: ProtocolMessage[] = [];
  for (const update of run.updates.values()) {
    if (update.stage !== 'admitted') continue;
    update.stage = 'sent';
    messages.push({
      id: `${update.updateId}/request`,
      protocolInstanceId: update.updateId,
      // Messages are processed after all events of the task (the server's sequencing).
      eventId: startedEventId - 1,
      body: { type_url: TYPE_PREFIX + REQUEST_TYPE, value: encode(protoType(REQUEST_TYPE), update.request) },
    });
  }
  return messages;
}

/** A failed or timed-out task: Updates it carried go out again with the next attempt. */
export function returnSentUpdates(run: Run): void {
  for (const update of run.updates.values()) if (update.stage === 'sent') update.stage = 'admitted';
}

/** The bodies a worker sends back for an Update, by the name of their type in temporal.api.update.v1. */
interface WorkerMessageBodies {
  Acceptance: Plain<temporal.api.update.v1.IAcceptance>;
  Rejection: Plain<temporal.api.update.v1.IRejection>;
  Response: Plain<temporal.api.update.v1.IResponse>;
}

type WorkerMessageOf<K extends keyof WorkerMessageBodies> = {
  id: string;
  updateId: string;
  kind: K;
  body: WorkerMessageBodies[K];
};

type WorkerMessage = { [K in keyof WorkerMessageBodies]: WorkerMessageOf<K> }[keyof WorkerMessageBodies];

function workerMessage<K extends keyof WorkerMessageBodies>(
  id: string,
  updateId: string,
  kind: K,
  value: Uint8Array,
): WorkerMessage {
  // An Any's value: decoded by the type its type_url names, so its shape is known only at run time.
  const body = decode(protoType(`temporal.api.update.v1.${kind}`), Buffer.from(value)) as WorkerMessageBodies[K];
  // The compiler cannot tie a generic `kind` to its `body`; the signature above does.
  return { id, updateId, kind, body } as WorkerMessage;
}

function isWorkerMessageKind(name: string): name is keyof WorkerMessageBodies {
  return name === 'Acceptance' || name === 'Rejection' || name === 'Response';
}

/** The worker's messages of a task completion, decoded. */
export function decodeWorkerMessages(messages: ProtocolMessage[] | undefined): Map<string, WorkerMessage> {
  const byId = new Map<string, WorkerMessage>();
  for (const m of messages ?? []) {
    const typeUrl = m.body?.type_url ?? '';
    const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const prefix = 'temporal.api.update.v1.';
    const kind = typeName.startsWith(prefix) ? typeName.slice(prefix.length) : 'unknown';
    if (!isWorkerMessageKind(kind)) {
      throw invalidArgument(`protocol message ${String(m.id)} has an unsupported body ${typeUrl || '(none)'}`);
    }
    const id = m.id ?? '';
    byId.set(id, workerMessage(id, m.protocolInstanceId ?? '', kind, m.body?.value ?? new Uint8Array()));
  }
  return byId;
}

/**
 * COMMAND_TYPE_PROTOCOL_MESSAGE: the place in the command list where the worker accepted or
 * completed an Update; it becomes WorkflowExecutionUpdateAccepted/Completed right there.
 */
export function applyProtocolMessageCommand(
  core: EngineCore,
  run: Run,
  messageId: string | undefined,
  messages: Map<string, WorkerMessage>,
  used: Set<string>,
): void {
  const message = messages.get(messageId ?? '');
  if (!message) {
    throw invalidArgument(
      `PROTOCOL_MESSAGE command names message ${String(messageId)}, which the completion does not carry`,
    );
  }
  used.add(message.id);
  if (message.kind === 'Acceptance') {
    let update = run.updates.get(message.updateId);
    const request = message.body.acceptedRequest ?? update?.request;
    if (!update) {
      // Accepted by a worker although unknown here (only the request in the message survives).
      if (!request) {
        throw invalidArgument(`Update ${message.updateId} is unknown and its acceptance carries no request`);
      }
      update = { updateId: message.updateId, request, stage: 'sent', waiters: new Set() };
      run.updates.set(update.updateId, update);
    }
    if (update.stage === 'accepted' || update.stage === 'completed') {
      throw invalidArgument(`Update ${update.updateId} was already accepted`);
    }
    const acceptedEventId = appendEvent(core, run, () => ({
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      workflowExecutionUpdateAcceptedEventAttributes: {
        protocolInstanceId: update.updateId,
        acceptedRequestMessageId: message.body.acceptedRequestMessageId,
        acceptedRequestSequencingEventId: message.body.acceptedRequestSequencingEventId,
        acceptedRequest: request,
      },
    }));
    settle(update, { stage: 'accepted', acceptedEventId });
    return;
  }
  if (message.kind === 'Response') {
    const update = run.updates.get(message.updateId);
    if (!update || update.stage !== 'accepted' || !update.acceptedEventId) {
      throw invalidArgument(`Update ${message.updateId} is completed without having been accepted`);
    }
    const { outcome } = message.body;
    appendEvent(core, run, () => ({
      eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
      workflowExecutionUpdateCompletedEventAttributes: {
        meta: message.body.meta,
        acceptedEventId: update.acceptedEventId,
        outcome,
      },
    }));
    settle(update, { stage: 'completed', outcome });
    return;
  }
  throw invalidArgument(`a ${message.kind} message cannot be named by a PROTOCOL_MESSAGE command`);
}

/**
 * After the commands: rejection messages (never named by a command — they leave no event),
 * then Updates the task carried but the worker did not answer, rejected on its behalf.
 */
export function settleUnreferencedMessages(run: Run, messages: Map<string, WorkerMessage>, used: Set<string>): void {
  for (const message of messages.values()) {
    if (used.has(message.id)) continue;
    if (message.kind !== 'Rejection') {
      throw invalidArgument(`${message.kind} message ${message.id} is not named by a PROTOCOL_MESSAGE command`);
    }
    const update = run.updates.get(message.updateId);
    if (!update || (update.stage !== 'sent' && update.stage !== 'admitted')) continue;
    run.updates.delete(update.updateId);
    settle(update, { stage: 'rejected', outcome: { failure: message.body.failure } });
  }
  for (const update of [...run.updates.values()]) {
    if (update.stage !== 'sent') continue;
    run.updates.delete(update.updateId);
    settle(update, { stage: 'rejected', outcome: { failure: UNPROCESSED_UPDATE } });
  }
}

/**
 * The run closed: Updates it never accepted are aborted (to be retried on the next run after a
 * continue-as-new, an error otherwise); accepted ones fail, since they can no longer complete.
 */
export function abortUpdates(run: Run, status: RunStatus): void {
  for (const update of [...run.updates.values()]) {
    if (update.stage === 'admitted' || update.stage === 'sent') {
      run.updates.delete(update.updateId);
      const retry = status === 'ContinuedAsNew';
      const message = retry ? 'workflow continued as new' : 'update aborted by closing workflow';
      settle(update, { stage: 'aborted', abort: { retry, message } });
    } else if (update.stage === 'accepted') {
      settle(update, { stage: 'completed', outcome: { failure: ACCEPTED_UPDATE_WORKFLOW_CLOSED } });
    }
  }
}

/** Resolves once the Update reached `wanted`, was aborted, the caller went away, or the long poll expired. */
export function waitForStage(
  update: UpdateState,
  wanted: number,
  cancelled: (onCancel: () => void) => void,
  timeoutMs = UPDATE_LONG_POLL_MS,
): Promise<void> {
  const done = () => update.stage === 'aborted' || reached(update) >= wanted;
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      update.waiters.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => {
      if (done()) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    timer.unref?.();
    update.waiters.add(check);
    cancelled(finish);
  });
}

/** The answer of both Update RPCs: the stage reached and, once completed, the outcome. */
export function updateResponse(
  run: Run,
  update: UpdateState,
): Plain<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse> {
  return {
    updateRef: { workflowExecution: { workflowId: run.workflowId, runId: run.runId }, updateId: update.updateId },
    outcome: update.outcome,
    stage: STAGE_NAMES[reached(update)],
  };
}
