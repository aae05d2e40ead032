/**
 * The API's only door to Temporal: delivering an event (signalWithStart on `employee-<id>`)
 * and the read queries. Thin on purpose; lib/temporal/employee.ts holds the workflow contract.
 */
import type { Client } from '@temporalio/client';
import type { HrEvent } from '../../lib/hr/event';
import { readEmployeeStatus, type EmployeeStatusView } from '../../lib/status';
import { deliverHrEvent, employeeTimeline } from '../../lib/temporal/employee-client';
import { appHealth, listAppHealth } from '../../lib/temporal/app-client';
import type { AppHealth } from '../../lib/temporal/contract';
import type { RosterStatus } from '../../lib/temporal/contract';
import { rosterStatus, submitRoster, type RosterSubmission } from '../../lib/temporal/roster-client';

export interface TemporalTarget {
  /**
   * The client, or a function that returns it once connected (`jml api` listens before
   * Temporal is reachable: until then deliveries and reads answer 503 and /readyz says so).
   */
  client: Client | (() => Client | undefined);
  /** Task queue the lifecycle worker polls (a new workflow is started on it). */
  taskQueue: string;
  /**
   * Deadline for each call to Temporal. Without one the client retries an unreachable
   * frontend for a long time while the HR system's request hangs. @default 10000
   */
  rpcTimeoutMs?: number;
}

export interface TemporalGateway {
  /** Resolves once the signal is durable in the workflow's history. */
  deliver(event: HrEvent): Promise<{ workflowId: string }>;
  /** The status query with the running steps' attempts and retries, times in ISO 8601. */
  status(employeeId: string): Promise<EmployeeStatusView | undefined>;
  timeline(employeeId: string): Promise<unknown | null>;
  /** Every app's health (active, paused, quarantined), or one app's (undefined: no such workflow). */
  apps(): Promise<AppHealth[]>;
  app(app: string): Promise<AppHealth | undefined>;
  /** Starts (or completes the hand-over to) `roster-<rosterId>`; RosterConflictError for other content under the id. */
  submitRoster(roster: RosterSubmission): Promise<{ workflowId: string; batches: number; repeated: boolean }>;
  rosterStatus(rosterId: string): Promise<RosterStatus | undefined>;
  /** True if the frontend answers within `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
}

/** Thrown while the API has no connection to Temporal yet (answered as 503). */
export class TemporalNotConnectedError extends Error {
  override name = 'TemporalNotConnectedError';
  constructor() {
    super('not connected to Temporal yet');
  }
}

export function createTemporalGateway(target: TemporalTarget): TemporalGateway {
  const { taskQueue } = target;
  const current = (): Client => {
    const client = typeof target.client === 'function' ? target.client() : target.client;
    if (!client) throw new TemporalNotConnectedError();
    return client;
  };
  const timeoutMs = target.rpcTimeoutMs ?? 10_000;
  const bounded = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    const client = current();
    return client.withDeadline(Date.now() + timeoutMs, () => fn(client));
  };
  return {
    deliver: async (event) => ({ workflowId: (await bounded((c) => deliverHrEvent(c, taskQueue, event))).workflowId }),
    status: (employeeId) => bounded((c) => readEmployeeStatus(c, employeeId)),
    submitRoster: (roster) => bounded((c) => submitRoster(c, taskQueue, roster)),
    rosterStatus: (rosterId) => bounded((c) => rosterStatus(c, rosterId)),
    timeline: async (employeeId) => (await bounded((c) => employeeTimeline(c, employeeId))) ?? null,
    apps: () => bounded((c) => listAppHealth(c)),
    app: (app) => bounded((c) => appHealth(c, app)),
    ready: async (timeoutMs) => {
      try {
        const client = current();
        await client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}
