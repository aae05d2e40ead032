/**
 * Everything a workflow end-to-end test needs, real all the way down: the embedded engine with
 * time skipping, reference SCIM servers standing in for the shipped connectors, the real SCIM
 * client and activities, and a worker running the bundled workflows on a random task queue.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Worker } from '@temporalio/worker';
import { AppGate, createActivities, type LifecycleActivities } from '../../activities';
import { createAuditPort } from '../../activities/audit';
import type { AuditStore } from '../../lib/audit';
import { loadConfig } from '../../lib/config';
import type { ConnectorConfig, LoadedConfig, PolicyConfig } from '../../lib/config/types';
import type { HrEvent } from '../../lib/hr/event';
import type { EmployeeRecord } from '../../lib/hr/employee';
import { createLogger } from '../../lib/logger';
import { ScimClients } from '../../lib/scim';
import {
  deliverHrEvent,
  employeeStatus,
  employeeTimeline,
  employeeWorkflowId,
} from '../../lib/temporal/employee-client';
import type { ScimServerOptions } from '../../scim-server';
import { startReferenceApps, type ReferenceApps } from '../../workers/dev/reference-apps';
import { createLifecycleWorker } from '../../workers/lifecycle';
import type { EmployeeStatus } from '../../lib/temporal/contract';
import { createTestEnv, type TemporalTestEnv } from './temporal-env';

export const CONFIG_DIR = path.join(__dirname, '..', '..', 'config');

export interface StackOptions {
  /** Fault injection around the real activities (e.g. a policy that cannot be read). */
  wrapActivities?: (activities: LifecycleActivities) => LifecycleActivities;
  serverOptions?: (app: string) => Partial<ScimServerOptions>;
  policy?: (policy: PolicyConfig) => PolicyConfig;
  /** Adjusts a shipped connector before the stand-in apps start (e.g. `groups.create`). */
  connector?: (connector: ConnectorConfig) => ConnectorConfig;
  /** Write the audit trail (SCIM requests, milestones, account registry) to this store. */
  auditStore?: AuditStore;
  /** @default true */
  timeSkipping?: boolean;
  /** How long the app gate reuses an app's state (0: read it for every step). @default the gate's */
  appStateCacheMs?: number;
}

export interface LifecycleStack {
  env: TemporalTestEnv;
  apps: ReferenceApps;
  config: LoadedConfig;
  taskQueue: string;
  /** The running worker; `restartWorker` replaces it. */
  worker(): Worker;
  restartWorker(): Promise<void>;
  send(event: HrEvent): Promise<void>;
  status(employeeId: string): Promise<EmployeeStatus>;
  timeline(employeeId: string): ReturnType<typeof employeeTimeline>;
  /** Lets (virtual) time pass until `check` holds, failing with the last status after `maxMs`. */
  waitFor(employeeId: string, check: (s: EmployeeStatus) => boolean, maxMs?: number): Promise<EmployeeStatus>;
  stop(): Promise<void>;
}

export async function startLifecycleStack(options: StackOptions = {}): Promise<LifecycleStack> {
  const loaded = await loadConfig(CONFIG_DIR);
  const withPolicy = options.policy ? { ...loaded, policy: options.policy(loaded.policy) } : loaded;
  const tweak = options.connector;
  const base = tweak
    ? {
        ...withPolicy,
        connectors: Object.fromEntries(Object.entries(withPolicy.connectors).map(([id, c]) => [id, tweak(c)])),
      }
    : withPolicy;
  const apps = await startReferenceApps(base, { ports: 'any', serverOptions: options.serverOptions });
  const config = apps.config;
  const env = await createTestEnv({ timeSkipping: options.timeSkipping ?? true });
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const audit = options.auditStore ? createAuditPort(options.auditStore, () => undefined) : undefined;
  const scim = new ScimClients({ logger });
  const gate =
    options.appStateCacheMs === undefined
      ? undefined
      : new AppGate({ config: () => config, temporal: env.client, logger, cacheMs: options.appStateCacheMs });
  const real = createActivities({ config: () => config, scim, audit, logger, temporal: env.client, gate });
  const activities = options.wrapActivities ? options.wrapActivities(real) : real;
  const taskQueue = `jml-test-${randomUUID()}`;

  let current: { worker: Worker; running: Promise<void> } | undefined;
  const startWorker = async () => {
    const worker = await createLifecycleWorker({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      activities,
    });
    current = { worker, running: worker.run() };
  };
  const stopWorker = async () => {
    if (!current) return;
    current.worker.shutdown();
    await current.running;
    current = undefined;
  };
  await startWorker();

  const status = async (employeeId: string) => {
    const s = await employeeStatus(env.client, employeeId);
    if (!s) throw new Error(`no workflow ${employeeWorkflowId(employeeId)}`);
    return s;
  };

  return {
    env,
    apps,
    config,
    taskQueue,
    worker: () => current!.worker,
    restartWorker: async () => {
      await stopWorker();
      await startWorker();
    },
    send: async (event) => void (await deliverHrEvent(env.client, taskQueue, event)),
    status,
    timeline: (employeeId) => employeeTimeline(env.client, employeeId),
    waitFor: async (employeeId, check, maxMs = 60 * 60_000) => {
      // Fine steps for short waits, at most ~100 checks for long ones (days of retention).
      const step = Math.max(5_000, Math.ceil(maxMs / 100));
      let last: EmployeeStatus | undefined;
      for (let waited = 0; waited <= maxMs; waited += step) {
        last = await status(employeeId).catch(() => undefined);
        if (last && check(last)) return last;
        await env.sleep(step);
      }
      throw new Error(`condition not reached within ${maxMs} ms; last status: ${JSON.stringify(last, null, 2)}`);
    },
    stop: async () => {
      await stopWorker();
      await scim.close();
      await env.teardown();
      await apps.stop();
    },
  };
}

/** An HR event for tests: a full employee record with sensible defaults. */
export function hrEvent(
  type: HrEvent['type'],
  employee: Partial<EmployeeRecord> & { employeeId: string },
  extra: Partial<Omit<HrEvent, 'employee' | 'type'>> & { eventId: string },
): HrEvent {
  const id = employee.employeeId.toLowerCase();
  return {
    type,
    effectiveAt: extra.effectiveAt ?? new Date().toISOString(),
    initiator: 'hr-test',
    ...extra,
    employee: {
      givenName: 'Ada',
      familyName: 'Lovelace',
      workEmail: `${id}@example.com`,
      department: 'Engineering',
      title: 'Engineer',
      employmentType: 'FULL_TIME',
      status: 'active',
      ...employee,
    },
  };
}

/** Requests an app received, as `METHOD path` lines, optionally only writes. */
export function received(stack: LifecycleStack, app: string, opts: { writesOnly?: boolean } = {}): string[] {
  return stack.apps.apps[app]!.server.requests.filter((r) => !opts.writesOnly || r.method !== 'GET').map(
    (r) => `${r.method} ${r.path}`,
  );
}
