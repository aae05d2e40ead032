/**
 * Roster activities (the `roster-<rosterId>` workflow's I/O): deliver a batch of the roster's
 * people to their employee workflows, and, for a full roster, send the inferred terminations
 * of known people missing from it. Both go through the same client helper as the intake API
 * (signalWithStart of `employee-<id>`) with deterministic eventIds, so a retried attempt or a
 * re-delivered roster changes nothing the first did not.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { EmployeeRecord } from '../lib/hr/employee';
import type { Logger } from '../lib/logger';
import { inferredTermination, missingFromRoster, rosterEvent } from '../lib/roster/missing';
import { deliverHrEvent, listEmployeeStatuses } from '../lib/temporal/employee-client';
import { activityCallContext, keepAlive } from './context';

export interface DeliverRosterInput {
  rosterId: string;
  asOf: string;
  source?: string;
  employees: EmployeeRecord[];
}

export interface InferLeaversInput {
  rosterId: string;
  asOf: string;
  /** Every employee id in the roster. */
  present: string[];
}

export interface InferLeaversResult {
  missing: string[];
}

export interface RosterActivities {
  deliverRosterBatch(input: DeliverRosterInput): Promise<{ delivered: number }>;
  terminateMissingFromRoster(input: InferLeaversInput): Promise<InferLeaversResult>;
}

export interface RosterActivityDeps {
  temporal?: Client;
  logger: Logger;
}

/** Signals at once per activity: enough to move a large roster, little enough for a shared frontend. */
const CONCURRENCY = 8;

export function createRosterActivities(deps: RosterActivityDeps): RosterActivities {
  const client = (): Client => {
    if (!deps.temporal)
      throw ApplicationFailure.create({
        type: 'ROSTER_NO_TEMPORAL_CLIENT',
        message:
          'this worker has no Temporal client to signal the employee workflows; start it with its Temporal settings',
        nonRetryable: true,
      });
    return deps.temporal;
  };
  // Employee workflows run on the task queue of the worker that runs the roster workflow.
  const taskQueue = () => Context.current().info.taskQueue;

  return {
    deliverRosterBatch: async (input) => {
      const c = client();
      const queue = taskQueue();
      const stop = keepAlive();
      try {
        const now = deliveryTime(input.asOf);
        await inParallel(input.employees, (e) =>
          deliverHrEvent(c, queue, rosterEvent(input.rosterId, input.asOf, e, input.source, now)),
        );
        return { delivered: input.employees.length };
      } finally {
        stop();
      }
    },

    terminateMissingFromRoster: async (input) => {
      const c = client();
      const queue = taskQueue();
      const stop = keepAlive();
      try {
        // Anyone whose status cannot be read fails the attempt (retried): never inferred gone from a partial list.
        const known = await listEmployeeStatuses(c, { signal: activityCallContext().signal });
        const missing = missingFromRoster(known, new Set(input.present));
        deps.logger.warn(
          { rosterId: input.rosterId, missing: missing.length, known: known.length },
          'full roster: known people missing from it are sent terminations (inferredFrom the roster)',
        );
        const now = deliveryTime(input.asOf);
        await inParallel(missing, (person) =>
          deliverHrEvent(c, queue, inferredTermination(input.rosterId, input.asOf, person, now)),
        );
        return { missing: missing.map((m) => m.employeeId) };
      } finally {
        stop();
      }
    },
  };
}

/**
 * The events' effectiveAt: now (when this product learns of the change; SLA timers start there),
 * never before the snapshot's asOf. A retried attempt sends a later time under the same eventId,
 * which the employee workflow drops as a repeat.
 */
function deliveryTime(asOf: string): string {
  return new Date(Math.max(Date.now(), Date.parse(asOf))).toISOString();
}

/** Runs `fn` over `items` a few at a time; the first failure fails the whole (the retry repeats it safely). */
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}
