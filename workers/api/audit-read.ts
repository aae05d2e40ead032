/** The API's read side over the audit store (durable timelines and the console). */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildLeaverTimeline, type AuditStore } from '../../lib/audit';
import { registerConsole } from './console';
import type { AppHealthSource } from './console/apps';
import type { TimelineSource } from './routes/employees';

/**
 * The API's read side over the audit store: `GET /v1/employees/:id/timeline` answers from the
 * store (complete after Temporal's history retention has passed) and `/console` is mounted.
 */
export function auditReadSide(
  store: AuditStore,
  options: {
    temporalUiUrl?: string;
    namespace?: string;
    readTokens?: readonly string[];
    /** The API's Temporal client once connected (the console's reconciliation page asks the schedules). */
    temporal?: () => Client | undefined;
    /** The apps' health (paused, quarantined), shown by the console. */
    apps?: AppHealthSource;
  },
): { timelineSource: TimelineSource; routes: Array<(app: FastifyInstance) => void> } {
  return {
    timelineSource: async (employeeId) => {
      const records = await store.records({ employeeId });
      return records.length === 0
        ? null
        : buildLeaverTimeline(employeeId, records, {
            temporalUiUrl: options.temporalUiUrl,
            namespace: options.namespace,
          });
    },
    routes: [
      (app) =>
        registerConsole(app, {
          store,
          temporalUiUrl: options.temporalUiUrl,
          namespace: options.namespace,
          readTokens: options.readTokens,
          apps: options.apps,
          temporal: options.temporal,
        }),
    ],
  };
}
