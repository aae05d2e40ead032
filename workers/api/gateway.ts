/**
 * The API's only door to Temporal: delivering an event (signalWithStart on `employee-<id>`)
 * and the read queries. Thin on purpose; lib/temporal/employee.ts holds the workflow contract.
 */
import type { Client } from '@temporalio/client';
import type { HrEvent } from '../../lib/hr/event';
import { deliverHrEvent, employeeStatus, employeeTimeline } from '../../lib/temporal/employee-client';
import type { EmployeeStatus } from '../../lib/temporal/contract';

export interface TemporalTarget {
  client: Client;
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
  status(employeeId: string): Promise<EmployeeStatus | undefined>;
  timeline(employeeId: string): Promise<unknown | null>;
  /** True if the frontend answers within `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
}

export function createTemporalGateway(target: TemporalTarget): TemporalGateway {
  const { client, taskQueue } = target;
  const timeoutMs = target.rpcTimeoutMs ?? 10_000;
  const bounded = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + timeoutMs, fn);
  return {
    deliver: async (event) => ({ workflowId: (await bounded(() => deliverHrEvent(client, taskQueue, event))).workflowId }),
    status: (employeeId) => bounded(() => employeeStatus(client, employeeId)),
    timeline: async (employeeId) => (await bounded(() => employeeTimeline(client, employeeId))) ?? null,
    ready: async (timeoutMs) => {
      try {
        await client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}
