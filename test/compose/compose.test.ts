/**
 * docker-compose.yml cannot be run here (no Docker), so its structure is checked: the schema
 * for the Compose subset we use, then the rules that make it production-like.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse, parseDocument } from 'yaml';
import { ComposeSchema, type Compose, type Service } from './compose-schema';
import { DEFAULT_SEMI_SPACE_MB } from '../../workers/lifecycle/heap';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// `x-` extension fields hold YAML anchors only; merge keys (<<) expand them as Compose does.
function loadCompose(): Compose {
  const raw = parse(read('docker-compose.yml'), { merge: true }) as Record<string, unknown>;
  const withoutExtensions = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('x-')));
  return ComposeSchema.parse(withoutExtensions);
}

const compose = loadCompose();
const services = Object.entries(compose.services);
const isOneShot = (s: Service) => s.restart === 'no';
const commandOf = (s: Service) => (Array.isArray(s.command) ? s.command : (s.command ?? '').split(' '));
const usesProjectImage = (s: Service) => s.image.startsWith('jml-orchestrator:');

describe('docker-compose.yml', () => {
  test('parses without YAML warnings and matches the Compose subset schema', () => {
    const doc = parseDocument(read('docker-compose.yml'), { merge: true });
    expect(doc.errors).toEqual([]);
    expect(doc.warnings).toEqual([]);
    expect(services.length).toBeGreaterThan(0);
  });

  test('has every service the deployment needs', () => {
    const images = services.map(([, s]) => s.image.split(':')[0]);
    expect(images).toEqual(
      expect.arrayContaining(['temporalio/server', 'temporalio/admin-tools', 'temporalio/ui', 'postgres', 'caddy']),
    );
    const jmlCommands = services.filter(([, s]) => usesProjectImage(s)).map(([, s]) => commandOf(s)[0]);
    expect(jmlCommands.sort()).toEqual(['api', 'migrate', 'scim-server', 'scim-server', 'scim-server', 'worker']);
    // Two databases: Temporal's own and the audit store.
    expect(images.filter((i) => i === 'postgres')).toHaveLength(2);
  });

  test('every image tag is pinned to a version', () => {
    for (const [name, s] of services) {
      const [, tag] = s.image.split(':');
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?$/) });
    }
  });

  test('every service has a health check or is a one-shot job', () => {
    for (const [name, s] of services) {
      expect({ name, ok: s.healthcheck !== undefined || isOneShot(s) }).toEqual({ name, ok: true });
      if (!isOneShot(s)) expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  test('dependencies exist, wait on what the target can signal, and have no cycles', () => {
    for (const [name, s] of services) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = compose.services[dep];
        expect({ name, dep, exists: target !== undefined }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy')
          expect({ name, dep, healthcheck: target.healthcheck !== undefined }).toEqual({
            name,
            dep,
            healthcheck: true,
          });
        if (condition === 'service_completed_successfully')
          expect({ name, dep, oneShot: isOneShot(target) }).toEqual({ name, dep, oneShot: true });
      }
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, trail: string[]) => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`dependency cycle: ${[...trail, name].join(' → ')}`);
      visiting.add(name);
      for (const dep of Object.keys(compose.services[name].depends_on ?? {})) visit(dep, [...trail, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const [name] of services) visit(name, []);
  });

  test('published host ports are unique and every one is a port the service listens on', () => {
    const hostPorts = services.flatMap(([, s]) => (s.ports ?? []).map((p) => p.split(':').slice(-2)[0]));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    const api = compose.services.api;
    const listen = commandOf(api)[commandOf(api).indexOf('--port') + 1];
    expect(api.ports?.map((p) => p.split(':').pop())).toEqual([listen]);
    expect(JSON.stringify(api.healthcheck?.test)).toContain(`127.0.0.1:${listen}/readyz`);
  });

  test('every published port is bound to loopback by default', () => {
    // "8080:8080" would publish on every interface, over plain HTTP.
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((port) => ({ name, port })));
    expect(published.length).toBeGreaterThan(0);
    for (const { name, port } of published) {
      const bind = port.split(':').slice(0, -2).join(':');
      const defaultBind = /^\$\{[A-Z_]+:-(.+)\}$/.exec(bind)?.[1] ?? bind;
      expect({ name, port, defaultBind }).toEqual({ name, port, defaultBind: '127.0.0.1' });
    }
    // Only the TLS proxy may be opened to other machines, and only through one variable.
    const configurable = published.filter(({ port }) => port.startsWith('${')).map(({ name }) => name);
    expect([...new Set(configurable)]).toEqual(['proxy']);
  });

  test('the TLS proxy is a pinned Caddy, configured from the repository, in front of the API', () => {
    const proxy = compose.services.proxy;
    expect(proxy.image).toMatch(/^caddy:\d+\.\d+\.\d+-alpine$/);
    expect(proxy.ports?.map((p) => p.split(':').pop()).sort()).toEqual(['443', '80']);
    expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(proxy.depends_on?.api).toBeDefined();
    expect(proxy.networks).toEqual(compose.services.api.networks);
    const caddyfile = read('deploy/Caddyfile');
    const api = compose.services.api;
    const listen = commandOf(api)[commandOf(api).indexOf('--port') + 1];
    expect(caddyfile).toMatch(new RegExp(`^\\s*reverse_proxy api:${listen}\\b`, 'm'));
    expect(caddyfile).toMatch(/^\{\$JML_PUBLIC_HOST:localhost\} \{$/m);
    expect(caddyfile).toContain('Strict-Transport-Security');
    // The API takes the client address from the proxy's X-Forwarded-For (rate limits per client),
    // trusting it only from the compose network's private addresses.
    const trusted = commandOf(api)[commandOf(api).indexOf('--trusted-proxies') + 1];
    expect(trusted).toBe('uniquelocal');
    expect(commandOf(api)).not.toContain('--trust-proxy');
    for (const volume of proxy.volumes!.filter((v) => !v.startsWith('./'))) {
      expect(Object.keys(compose.volumes ?? {})).toContain(volume.split(':')[0]);
    }
  });

  test('services sharing a network namespace exist, start after it, and declare no ports or networks of their own', () => {
    for (const [name, s] of services.filter(([, s]) => s.network_mode)) {
      const owner = /^service:(.+)$/.exec(s.network_mode!)?.[1];
      expect({ name, owner: owner && compose.services[owner] !== undefined }).toEqual({ name, owner: true });
      expect(s.depends_on?.[owner!]).toBeDefined();
      expect({ name, ports: s.ports, networks: s.networks }).toEqual({ name, ports: undefined, networks: undefined });
    }
  });

  test('reference SCIM apps listen where the shipped connector configs point', () => {
    const scim = services.filter(([, s]) => commandOf(s)[0] === 'scim-server');
    const ports = scim.map(([, s]) => commandOf(s)[commandOf(s).indexOf('--port') + 1]).sort();
    const configured = ['slack', 'github', 'canva']
      .map((c) => /baseUrl: http:\/\/127\.0\.0\.1:(\d+)\//.exec(read(`config/connectors/${c}.yaml`))![1])
      .sort();
    expect(ports).toEqual(configured);
    for (const [, s] of scim) expect(s.network_mode).toBe('service:worker');
  });

  test("the worker's main thread starts with the young generation its threads get from `jml worker`", () => {
    expect(compose.services.worker.environment?.NODE_OPTIONS).toBe(`--max-semi-space-size=${DEFAULT_SEMI_SPACE_MB}`);
  });

  test('no secret is written in the file: secret-looking variables come from .env', () => {
    for (const [name, s] of services) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|PWD|DATABASE_URL/.test(key))
          expect({ name, key, value }).toEqual({ name, key, value: expect.stringMatching(/\$\{[A-Z_]+/) });
      }
      if (usesProjectImage(s)) expect(s.env_file).toEqual([{ path: '.env', required: true }]);
    }
  });

  test('.env.example defines every variable the compose file and the shipped config reference', () => {
    const example = new Set(
      read('.env.example')
        .split('\n')
        .flatMap((l) => (/^([A-Z][A-Z0-9_]*)=/.exec(l) ?? []).slice(1)),
    );
    const composeVars = [...read('docker-compose.yml').matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    const configVars = [
      'config/connectors/slack.yaml',
      'config/connectors/github.yaml',
      'config/connectors/canva.yaml',
      'config/policy.yaml',
    ].flatMap((f) => [...read(f).matchAll(/env:([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
    const missing = [...new Set([...composeVars, ...configVars, 'JML_API_HMAC_SECRETS'])].filter(
      (v) => !example.has(v),
    );
    expect(missing).toEqual([]);
  });

  test('flags passed to jml commands exist in those commands', () => {
    for (const [name, s] of services.filter(([, s]) => usesProjectImage(s))) {
      const [command, ...args] = commandOf(s);
      expect({ name, exists: existsSync(path.join(ROOT, 'cli', 'commands', `${command}.ts`)) }).toEqual({
        name,
        exists: true,
      });
      const source = read(`cli/commands/${command}.ts`);
      for (const flag of args.filter((a) => a.startsWith('--')).map((a) => a.slice(2))) {
        expect({ name, flag, known: source.includes(`'${flag}':`) || source.includes(`  ${flag}:`) }).toEqual({
          name,
          flag,
          known: true,
        });
      }
    }
  });
});

describe('Dockerfile and ignore files', () => {
  const dockerfile = read('Dockerfile');

  test('pinned node 20 slim base, npm ci from the lockfile, non-root, runs bin/jml.js', () => {
    expect(dockerfile).toMatch(/^FROM node:20\.\d+\.\d+-[a-z]+-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toContain('COPY package.json package-lock.json ./');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/jml\.js"\]$/m);
  });

  test('the image caps glibc malloc arenas (each of the worker threads would keep one)', () => {
    expect(dockerfile).toMatch(/^\s+MALLOC_ARENA_MAX=2$/m);
  });

  test('every source directory the CLI loads is copied into the image', () => {
    for (const dir of ['bin', 'cli', 'lib', 'engine', 'scim-server', 'activities', 'workflows', 'workers', 'config']) {
      expect(dockerfile).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
    }
  });

  test('.env never reaches the build context', () => {
    const ignore = read('.dockerignore').split('\n');
    expect(ignore).toContain('.env');
    expect(ignore).toContain('node_modules');
  });
});
