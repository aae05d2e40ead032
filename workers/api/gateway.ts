/**
 * The API's only door to Temporal: delivering an event (signalWithStart on `employee-<id>`)
 * and the read queries. Thin on purpose; lib/temporal/employee.ts holds the workflow contract.
 */
import type { Client } from '@temporalio/client';
import type { HrEvent } from '../../lib/hr/event';
import { deliverHrEvent, employeeStatus, employeeTimeline } from '../../lib/temporal/employee';
import type { EmployeeStatus } from '../../workflows/messages';

export interface TemporalTarget {
  client: Client;
  /** Task queue the lifecycle worker polls (a new workflow is started on it). */
  taskQueue: string;
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
  return {
    deliver: async (event) => ({ workflowId: (await deliverHrEvent(client, taskQueue, event)).workflowId }),
    status: (employeeId) => employeeStatus(client, employeeId),
    timeline: async (employeeId) => (await employeeTimeline(client, employeeId)) ?? null,
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
