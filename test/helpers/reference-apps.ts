/**
 * For activity tests run in the SDK's MockActivityEnvironment: the reference apps of the shipped
 * config on free ports and a SCIM client pool, started before the file's tests and stopped after
 * them. The returned object is filled in by the `beforeAll` this registers, so read its fields
 * inside hooks and tests, not at the top level.
 */
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { ScimClients } from '../../lib/scim';
import { startReferenceApps, type ReferenceApps } from '../../workers/dev/reference-apps';
import { CONFIG_DIR } from './lifecycle-stack';

export interface ActivityApps {
  apps: ReferenceApps;
  scim: ScimClients;
}

export function useReferenceApps(): ActivityApps {
  const ref = {} as ActivityApps;
  beforeAll(async () => {
    ref.apps = await startReferenceApps(await loadConfig(CONFIG_DIR), { ports: 'any' });
    ref.scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await ref.scim?.close();
    await ref.apps?.stop();
  });
  return ref;
}
