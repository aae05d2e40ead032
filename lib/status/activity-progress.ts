/**
 * What a running lifecycle run has done and is doing per app, which the employee workflow's
 * state learns only when the child ends: the app steps already finished (a leaver's Slack is
 * deactivated while GitHub still fails) and those running or waiting to retry, with attempt,
 * next retry and last failure. From DescribeWorkflowExecution of each pending child of
 * `employee-<id>` and the child's history (the app of a step is in its scheduled input).
 */
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { employeeWorkflowId } from '../temporal/contract';

export interface AppStepProgress {
  app: string;
  /** The lifecycle child running the step (`leaver-E1-evt-9`). */
  workflowId: string;
  /** The activity (`deactivateAccount`). */
  activity: string;
  state: 'scheduled' | 'started' | 'cancel-requested';
  attempt: number;
  /** 0 or absent: unlimited. */
  maximumAttempts?: number;
  /** When the next attempt starts (scheduled after a failure). */
  nextAttemptAtMs?: number;
  lastStartedAtMs?: number;
  lastFailure?: { type: string; message: string };
}

/** An app step a running lifecycle child has already finished (the employee workflow learns it when the child ends). */
export interface AppStepDone {
  app: string;
  workflowId: string;
  action: string;
  scimId?: string;
  atMs: number;
}

export interface RunningSteps {
  pending: AppStepProgress[];
  done: AppStepDone[];
}

const STATES: Record<string, AppStepProgress['state']> = {
  PENDING_ACTIVITY_STATE_SCHEDULED: 'scheduled',
  PENDING_ACTIVITY_STATE_STARTED: 'started',
  PENDING_ACTIVITY_STATE_CANCEL_REQUESTED: 'cancel-requested',
};

/** The activities that act on one app's account (alerts and audit writes carry an app too, but are not steps). */
const APP_STEPS = new Set([
  'provisionAccount',
  'updateAccount',
  'setGroups',
  'deactivateAccount',
  'reactivateAccount',
  'deleteAccount',
]);

type Failure = temporal.api.failure.v1.IFailure;

function failureType(f: Failure): string {
  if (f.applicationFailureInfo?.type) return f.applicationFailureInfo.type;
  if (f.timeoutFailureInfo) return 'Timeout';
  if (f.canceledFailureInfo) return 'Cancelled';
  return 'Failure';
}

function stateName(state: unknown): AppStepProgress['state'] {
  if (typeof state === 'string') return STATES[state] ?? 'scheduled';
  // Protobuf enums arrive as numbers from a real server's gRPC API.
  return state === 2 ? 'started' : state === 3 ? 'cancel-requested' : 'scheduled';
}

interface ChildHistory {
  /** activityId → app, from the ActivityTaskScheduled events' input (an AccountRef has `app`). */
  apps: Map<string, string>;
  done: AppStepDone[];
}

async function readChildHistory(client: Client, workflowId: string, runId?: string): Promise<ChildHistory> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const converter = client.options.loadedDataConverter.payloadConverter;
  const apps = new Map<string, string>();
  const steps = new Map<string, { app: string; type: string }>();
  const done: AppStepDone[] = [];
  const read = <T>(payload: Parameters<typeof converter.fromPayload>[0]): T | undefined => {
    try {
      return converter.fromPayload<T>(payload);
    } catch {
      // A payload this converter cannot read is not an app step.
      return undefined;
    }
  };
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityId && scheduled.input?.payloads?.[0]) {
      const input = read<{ app?: unknown }>(scheduled.input.payloads[0]);
      if (typeof input?.app === 'string') {
        apps.set(scheduled.activityId, input.app);
        steps.set(String(event.eventId), { app: input.app, type: scheduled.activityType?.name ?? '' });
      }
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const step = completed ? steps.get(String(completed.scheduledEventId)) : undefined;
    if (completed && step && APP_STEPS.has(step.type) && completed.result?.payloads?.[0]) {
      const outcome = read<{ app?: string; action?: string; scimId?: string; atMs?: number }>(
        completed.result.payloads[0],
      );
      if (outcome?.action)
        done.push({
          app: step.app,
          workflowId,
          action: outcome.action,
          ...(outcome.scimId ? { scimId: outcome.scimId } : {}),
          atMs: outcome.atMs ?? 0,
        });
    }
  }
  return { apps, done };
}

/** App steps of the person's running lifecycle children: pending (with attempts) and already done. */
export async function runningSteps(client: Client, employeeId: string): Promise<RunningSteps> {
  const parent = await client.workflow.getHandle(employeeWorkflowId(employeeId)).describe();
  const children = parent.raw.pendingChildren ?? [];
  const out: RunningSteps = { pending: [], done: [] };
  for (const child of children) {
    if (!child.workflowId) continue;
    const runId = child.runId ?? undefined;
    const described = await client.workflow.getHandle(child.workflowId, runId).describe();
    const pending = described.raw.pendingActivities ?? [];
    const history = await readChildHistory(client, child.workflowId, runId);
    out.done.push(...history.done);
    for (const a of pending) {
      const app = a.activityId ? history.apps.get(a.activityId) : undefined;
      if (!app || !APP_STEPS.has(a.activityType?.name ?? '')) continue;
      const state = stateName(a.state);
      const nextAttemptAtMs =
        optionalTsToMs(a.nextAttemptScheduleTime) ??
        (state === 'scheduled' && (a.attempt ?? 1) > 1 ? optionalTsToMs(a.scheduledTime) : undefined);
      out.pending.push({
        app,
        workflowId: child.workflowId,
        activity: a.activityType?.name ?? 'activity',
        state,
        attempt: a.attempt ?? 1,
        ...(a.maximumAttempts ? { maximumAttempts: a.maximumAttempts } : {}),
        ...(nextAttemptAtMs === undefined ? {} : { nextAttemptAtMs }),
        ...(a.lastStartedTime ? { lastStartedAtMs: optionalTsToMs(a.lastStartedTime) } : {}),
        ...(a.lastFailure
          ? { lastFailure: { type: failureType(a.lastFailure), message: a.lastFailure.message ?? '' } }
          : {}),
      });
    }
  }
  return out;
}
