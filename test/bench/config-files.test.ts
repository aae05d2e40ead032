/**
 * The config files the benchmarks and the fault campaign write for their stacks load through the
 * real config loader as the connectors they describe (a typo here would only show as a failed
 * bench run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeConfig } from '../../bench/common';
import { writeConnector, writeEveryonePolicy } from '../../bench/config-files';
import { loadConfig } from '../../lib/config';

describe('bench config files', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jml-bench-config-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('the onboarding stack: one paced connector per app, every app granted to everyone', async () => {
    const dir = fresh();
    const limit = { requestsPerSecond: 50, burst: 10, maxConcurrency: 8 };
    writeConfig(dir, ['http://127.0.0.1:4001/scim/v2', 'http://127.0.0.1:4002/scim/v2'], limit);
    const config = await loadConfig(dir);
    expect(Object.keys(config.connectors).sort()).toEqual(['app01', 'app02']);
    const app = config.connectors.app02!;
    expect(app.scim.baseUrl).toBe('http://127.0.0.1:4002/scim/v2');
    expect(app.rateLimit).toEqual(expect.objectContaining(limit));
    expect(app.capabilities.groups).toBe(false);
    expect(app.delete.mode).toBe('hard');
    expect(app.mappings.map((m) => m.target)).toEqual([
      'externalId',
      'userName',
      'name.givenName',
      'name.familyName',
      'title',
    ]);
    expect(config.policy.access.rules).toEqual([
      expect.objectContaining({
        name: 'everyone',
        grant: [
          { app: 'app01', groups: [] },
          { app: 'app02', groups: [] },
        ],
      }),
    ]);
  });

  it('a connector with groups, page size and timeouts; a policy granting groups', async () => {
    const dir = fresh();
    writeConnector(dir, {
      id: 'app01',
      displayName: 'App 1',
      baseUrl: 'http://127.0.0.1:4001/scim/v2',
      tokenEnv: 'BENCH_SCIM_TOKEN',
      timeouts: { request: '10s' },
      maxPageSize: 100,
      groups: { manage: true, create: false },
      title: false,
    });
    writeEveryonePolicy(dir, [{ app: 'app01', groups: ['all-staff', '{{department}}'] }]);
    const config = await loadConfig(dir);
    const app = config.connectors.app01!;
    expect(app.capabilities).toEqual(expect.objectContaining({ groups: true, maxPageSize: 100 }));
    expect(app.groups).toEqual(expect.objectContaining({ manage: true, create: false }));
    expect(app.timeouts).toEqual(expect.objectContaining({ requestMs: 10_000 }));
    expect(app.mappings.map((m) => m.target)).not.toContain('title');
    expect(config.policy.access.rules[0]!.grant).toEqual([{ app: 'app01', groups: ['all-staff', '{{department}}'] }]);
  });
});
