/**
 * Config files for stacks the benchmarks and the fault campaign start: a SCIM connector for a
 * reference app (bearer token from the environment, hard delete, the usual person mappings)
 * and a policy that grants every app to everyone. Written as YAML the way an operator would,
 * so the processes load them through the real config loader.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export interface ReferenceConnector {
  id: string;
  displayName: string;
  baseUrl: string;
  /** The environment variable holding the bearer token. */
  tokenEnv: string;
  /** Client-side pacing. */
  rateLimit?: { requestsPerSecond: number; burst: number; maxConcurrency: number };
  /** e.g. `{ request: '10s' }` */
  timeouts?: { request: string };
  maxPageSize?: number;
  /** Group management (capabilities.groups and the `groups:` section); absent: no groups. */
  groups?: { manage: boolean; create: boolean };
  /** Map the HR title to the SCIM title. @default true */
  title?: boolean;
}

export function connectorYaml(c: ReferenceConnector): string {
  return stringify({
    id: c.id,
    displayName: c.displayName,
    scim: { baseUrl: c.baseUrl },
    auth: { type: 'bearer', token: `env:${c.tokenEnv}` },
    ...(c.rateLimit ? { rateLimit: c.rateLimit } : {}),
    ...(c.timeouts ? { timeouts: c.timeouts } : {}),
    capabilities: {
      patch: true,
      groups: c.groups !== undefined,
      ...(c.maxPageSize ? { maxPageSize: c.maxPageSize } : {}),
    },
    delete: { mode: 'hard' },
    mappings: [
      { source: 'employeeId', target: 'externalId', required: true },
      { source: 'workEmail', target: 'userName', required: true },
      { source: 'givenName', target: 'name.givenName' },
      { source: 'familyName', target: 'name.familyName' },
      ...(c.title === false ? [] : [{ source: 'title', target: 'title' }]),
    ],
    ...(c.groups ? { groups: c.groups } : {}),
  });
}

/** Writes `<dir>/connectors/<id>.yaml`. */
export function writeConnector(dir: string, c: ReferenceConnector): void {
  mkdirSync(path.join(dir, 'connectors'), { recursive: true });
  writeFileSync(path.join(dir, 'connectors', `${c.id}.yaml`), connectorYaml(c));
}

/** Writes `<dir>/policy.yaml`: one rule, `everyone`, granting each app (and its groups). */
export function writeEveryonePolicy(dir: string, grants: { app: string; groups?: string[] }[]): void {
  const rule = { name: 'everyone', when: {}, grant: grants };
  writeFileSync(path.join(dir, 'policy.yaml'), stringify({ access: { rules: [rule] } }));
}
