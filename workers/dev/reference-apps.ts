/**
 * Reference SCIM servers standing in for the configured connectors — the dev stack's apps and
 * the workflow tests' apps. Each stand-in takes the quirk profile named like the connector
 * (`slack`, `github`, `canva`; `rfc` otherwise), the connector's own credentials, and the
 * groups the policy can grant when the connector may not create groups (as an admin would have
 * created them in the real app).
 */
import { randomBytes } from 'node:crypto';
import { parseSecretRef, resolveSecret } from '../../lib/config';
import type { ConnectorConfig, LoadedConfig } from '../../lib/config/types';
import { groupDisplayName } from '../../lib/access';
import { renderTemplate, templatePlaceholders } from '../../lib/mapping';
import {
  QUIRK_PROFILES,
  startScimServer,
  type ScimServerHandle,
  type ScimServerOptions,
  type ServerAuth,
} from '../../scim-server';

export interface ReferenceApp {
  id: string;
  url: string;
  server: ScimServerHandle;
}

/** A connector whose baseUrl is a remote host: the dev stack uses the real app, never a stand-in. */
export interface RemoteApp {
  id: string;
  baseUrl: string;
}

export interface ReferenceApps {
  apps: Record<string, ReferenceApp>;
  /** With `ports: 'config'`: connectors left pointing at their real, remote app. */
  remote: RemoteApp[];
  /** The config with every connector pointed at its stand-in (same object when ports were kept). */
  config: LoadedConfig;
  stop(): Promise<void>;
}

export interface ReferenceAppOptions {
  /**
   * `config`: listen on each connector's own port (the dev stack) — only for connectors whose
   * baseUrl is this machine; one that names a remote host keeps using it. `any`: a stand-in on
   * a free port for every connector (tests). @default 'config'
   */
  ports?: 'config' | 'any';
  /** Extra server options per app (faults, latency) — tests and benchmarks. */
  serverOptions?: (id: string) => Partial<ScimServerOptions>;
  /** Where generated dev credentials are published so the SCIM client resolves the same refs. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export async function startReferenceApps(
  config: LoadedConfig,
  options: ReferenceAppOptions = {},
): Promise<ReferenceApps> {
  const env = options.env ?? process.env;
  const apps: Record<string, ReferenceApp> = {};
  const remote: RemoteApp[] = [];
  const connectors: Record<string, ConnectorConfig> = {};
  try {
    for (const connector of Object.values(config.connectors)) {
      const base = new URL(connector.scim.baseUrl);
      if (options.ports !== 'any' && !isLocalHost(base.hostname)) {
        // A stand-in on this machine would not be what baseUrl reaches: never replace a real app silently.
        remote.push({ id: connector.id, baseUrl: connector.scim.baseUrl });
        continue;
      }
      const server = await startScimServer({
        port: options.ports === 'any' ? 0 : Number(base.port || 80),
        host: '127.0.0.1',
        basePath: base.pathname.replace(/\/$/, ''),
        profile: connector.id in QUIRK_PROFILES ? (connector.id as keyof typeof QUIRK_PROFILES) : 'rfc',
        auth: await standInAuth(connector, env),
        maxRecordedRequests: 10_000,
        ...(options.serverOptions?.(connector.id) ?? {}),
      });
      for (const displayName of grantableGroups(config, connector)) server.seedGroup({ displayName });
      apps[connector.id] = { id: connector.id, url: server.url, server };
      connectors[connector.id] = repoint(connector, server);
    }
  } catch (err) {
    await Promise.all(Object.values(apps).map((a) => a.server.stop()));
    throw err;
  }
  return {
    apps,
    remote,
    config: options.ports === 'any' ? { ...config, connectors } : config,
    stop: async () => void (await Promise.all(Object.values(apps).map((a) => a.server.stop()))),
  };
}

/** Hosts a stand-in on 127.0.0.1 answers for. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The connector's credentials, generated (and published in `env`) when the reference is unset. */
async function standInAuth(connector: ConnectorConfig, env: NodeJS.ProcessEnv): Promise<ServerAuth> {
  const { auth } = connector;
  switch (auth.type) {
    case 'bearer':
      return { bearerToken: await devSecret(auth.token, env) };
    case 'basic':
      return { basic: { username: auth.username, password: await devSecret(auth.password, env) } };
    case 'oauth2-client-credentials':
      return {
        oauth2: {
          clientId: auth.clientId,
          clientSecret: await devSecret(auth.clientSecret, env),
          tokenPath: new URL(auth.tokenUrl).pathname,
        },
      };
  }
}

async function devSecret(ref: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    return await resolveSecret(ref, { env });
  } catch {
    const parsed = parseSecretRef(ref);
    if (parsed?.kind !== 'env')
      throw new Error(`cannot read ${ref} for the reference app; create the file or use an env: reference`);
    const value = `dev-${randomBytes(16).toString('hex')}`;
    env[parsed.name] = value;
    return value;
  }
}

function repoint(connector: ConnectorConfig, server: ScimServerHandle): ConnectorConfig {
  const origin = new URL(server.url).origin;
  const auth =
    connector.auth.type === 'oauth2-client-credentials'
      ? { ...connector.auth, tokenUrl: origin + new URL(connector.auth.tokenUrl).pathname }
      : connector.auth;
  return { ...connector, auth, scim: { ...connector.scim, baseUrl: server.url } };
}

/**
 * Group names the policy can grant in this app, expanding `{{field}}` placeholders with the
 * values the rule's `when` accepts for that field (unconstrained placeholders are skipped).
 */
export function grantableGroups(config: LoadedConfig, connector: ConnectorConfig): string[] {
  if (!connector.capabilities.groups || !connector.groups.manage || connector.groups.create) return [];
  const names = new Set<string>();
  for (const rule of config.policy.access.rules) {
    for (const grant of rule.grant.filter((g) => g.app === connector.id)) {
      for (const template of grant.groups) {
        for (const group of expand(template, rule.when)) names.add(groupDisplayName(connector, group));
      }
    }
  }
  return [...names].sort();
}

function expand(template: string, when: Record<string, string[]>): string[] {
  let bindings: Record<string, string>[] = [{}];
  for (const field of new Set(templatePlaceholders(template))) {
    const values = when[field];
    if (!values) return [];
    bindings = bindings.flatMap((b) => values.map((v) => ({ ...b, [field]: v })));
  }
  return bindings.map((b) => renderTemplate(template, (name) => b[name])).filter((g): g is string => g !== undefined);
}
