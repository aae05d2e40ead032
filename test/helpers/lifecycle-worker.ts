/**
 * A lifecycle worker as `jml worker` builds it (the shipped config, the real activities and
 * bundled workflows), on the test engine without time skipping, for tests of the worker's own
 * settings. Registers the engine's and the SCIM clients' set-up and teardown with jest: call it
 * at a test file's top level.
 */
import { Writable } from 'node:stream';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { ScimClients } from '../../lib/scim';
import { createLifecycleWorker, type LifecycleWorkerOptions } from '../../workers/lifecycle';
import { CONFIG_DIR } from './lifecycle-stack';
import { createTestEnv, type TemporalTestEnv } from './temporal-env';

export interface LifecycleWorkerFixture {
  /** The test engine (set once the file's beforeAll has run). */
  readonly env: TemporalTestEnv;
  /** A worker on `taskQueue`; `options` as `createLifecycleWorker` takes them. Not yet running. */
  createWorker(taskQueue: string, options?: Partial<LifecycleWorkerOptions>): Promise<Worker>;
}

export function silentLogger() {
  return createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
}

export function useLifecycleWorker(): LifecycleWorkerFixture {
  let env: TemporalTestEnv | undefined;
  let scim: ScimClients | undefined;
  beforeAll(async () => {
    env = await createTestEnv({ timeSkipping: false });
    scim = new ScimClients({ logger: silentLogger() });
  });
  afterAll(async () => {
    await scim?.close();
    await env?.teardown();
  });
  return {
    get env() {
      if (!env) throw new Error('the test engine starts in beforeAll: use it inside a test');
      return env;
    },
    async createWorker(taskQueue, options = {}) {
      const config = await loadConfig(CONFIG_DIR);
      return createLifecycleWorker({
        connection: this.env.nativeConnection,
        namespace: this.env.namespace,
        taskQueue,
        activities: createActivities({ config: () => config, scim: scim!, logger: silentLogger() }),
        ...options,
      });
    },
  };
}
