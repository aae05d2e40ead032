import path from 'node:path';
import { loadConfig } from '../../../lib/config';
import type { LoadedConfig } from '../../../lib/config/types';
import { readEmployeeFile, readEventFile } from '../../../lib/hr/read-event';
import { planEvent, renderPlan } from '../../../lib/plan';

const ROOT = path.join(__dirname, '..', '..', '..');
const example = (name: string) => path.join(ROOT, 'examples', 'events', `${name}.json`);

describe('planEvent (shipped config and example events)', () => {
  let config: LoadedConfig;
  beforeAll(async () => {
    config = await loadConfig(path.join(ROOT, 'config'));
  });

  it('plans a hire as lookup + create + group adds in every granted app', async () => {
    const plan = planEvent(config, await readEventFile(example('hire')));
    expect(plan.transition).toBe('join');
    expect(plan.apps.map((a) => [a.app, a.action])).toEqual([
      ['github', 'provision'],
      ['slack', 'provision'],
    ]);
    const github = plan.apps[0]!;
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /Users?filter=externalId%20eq%20%22E1001%22',
      'POST /Users',
      'PATCH /Groups/{id of "eng-Engineering"}',
      'PATCH /Groups/{id of "eng-all"}',
    ]);
    expect(github.requests[1]!.body).toMatchObject({
      externalId: 'E1001',
      userName: 'ada.lovelace@example.com',
      active: true,
    });
  });

  it('plans a move as attribute PATCH, group swap, a new app and a deferred revoke', async () => {
    const plan = planEvent(config, await readEventFile(example('move')), await readEmployeeFile(example('hire')));
    expect(plan.transition).toBe('move');
    const byApp = Object.fromEntries(plan.apps.map((a) => [a.app, a]));
    expect(byApp.canva!.action).toBe('provision');
    expect(byApp.github!.requests).toEqual([
      expect.objectContaining({ method: 'PATCH', path: '/Users/{id}', when: 'after 1d (policy mover.revokeGrace)' }),
      expect.objectContaining({
        method: 'PATCH',
        path: '/Groups/{id of "eng-Engineering"}',
        when: 'after 1d (policy mover.revokeGrace), after the deactivation',
      }),
      expect.objectContaining({
        method: 'PATCH',
        path: '/Groups/{id of "eng-all"}',
        when: 'after 1d (policy mover.revokeGrace), after the deactivation',
      }),
    ]);
    const slackPatch = byApp.slack!.requests[0]!.body as { Operations: { op: string; path: string; value: unknown }[] };
    expect(slackPatch.Operations).toContainEqual({ op: 'replace', path: 'title', value: 'Product Marketing Manager' });
    expect(byApp.slack!.requests[1]).toMatchObject({ method: 'PATCH', path: '/Groups/{id of "engineering"}' });
  });

  it('plans a termination as one deactivation per app and the retention delete where the app has one', async () => {
    const plan = planEvent(config, await readEventFile(example('terminate')));
    expect(plan.transition).toBe('leave');
    const text = renderPlan(plan);
    expect(text).toContain('DELETE /Users/{id}   [after 90d retention, unless re-hired or under legal hold]');
    expect(text).toContain('delete is "deactivate-only": the account stays deactivated');
    expect(text).toMatch(/nothing was sent \(dry run\)\.$/);
    const github = plan.apps.find((a) => a.app === 'github')!;
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /Users/{id}',
      'PATCH /Groups/{id of "eng-Engineering"}',
      'PATCH /Groups/{id of "eng-all"}',
      'DELETE /Users/{id}',
    ]);
    expect(github.requests[1]!.when).toBe('after the deactivation, confirmed (policy leaver.removeGroupMemberships)');
    const kept = {
      ...config,
      policy: { ...config.policy, leaver: { ...config.policy.leaver, removeGroupMemberships: false } },
    };
    expect(
      planEvent(kept, await readEventFile(example('terminate')))
        .apps.find((a) => a.app === 'github')!
        .requests.map((r) => r.method),
    ).toEqual(['PATCH', 'DELETE']);
  });

  it('plans a re-hire as reactivation with group adds only where the person is not already a member', async () => {
    const hire = await readEventFile(example('hire'));
    const plan = planEvent(
      config,
      { ...hire, type: 'rehire', eventId: 'evt-rehire' },
      { ...hire.employee, status: 'terminated' },
    );
    expect(plan.transition).toBe('rehire');
    const github = plan.apps.find((a) => a.app === 'github')!;
    expect(github.requests.map((r) => `${r.method} ${r.path}${r.when ? ` [${r.when}]` : ''}`)).toEqual([
      'PATCH /Users/{id}',
      'GET /Groups/{id of "eng-Engineering"}?attributes=members',
      'PATCH /Groups/{id of "eng-Engineering"} [only if not already a member]',
      'GET /Groups/{id of "eng-all"}?attributes=members',
      'PATCH /Groups/{id of "eng-all"} [only if not already a member]',
    ]);
  });

  it('looks up by userName before a create where the connector matches on userName first', async () => {
    const byUserName = {
      ...config,
      connectors: { ...config.connectors, github: { ...config.connectors.github!, match: ['userName' as const] } },
    };
    const plan = planEvent(byUserName, await readEventFile(example('hire')));
    expect(plan.apps.find((a) => a.app === 'github')!.requests[0]!.path).toBe(
      '/Users?filter=userName%20eq%20%22ada.lovelace%40example.com%22',
    );
  });

  it('uses PUT with the whole mapped resource for an app without PATCH', async () => {
    const move = await readEventFile(example('move'));
    const designer = { ...move.employee, department: 'Design' };
    const plan = planEvent(config, { ...move, eventId: 'evt-2', employee: designer }, move.employee);
    const canva = plan.apps.find((a) => a.app === 'canva')!;
    expect(canva.requests.map((r) => r.method)).toEqual(['PUT']);
    expect(canva.requests[0]!.body).toMatchObject({
      externalId: 'E1001',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Design' },
    });
  });

  it('reports no change for an identical snapshot', async () => {
    const hire = await readEventFile(example('hire'));
    const plan = planEvent(config, { ...hire, type: 'update', eventId: 'evt-same' }, hire.employee);
    expect(plan).toMatchObject({ transition: 'none', apps: [] });
  });
});

describe('readEventFile', () => {
  it('names the file and each invalid field', async () => {
    const file = path.join(ROOT, 'test', 'lib', 'plan', 'fixtures', 'bad-event.json');
    await expect(readEventFile(file)).rejects.toThrow(
      /bad-event\.json: not a valid HR event:\n {2}effectiveAt: .*\n {2}employee\.workEmail: /,
    );
  });
});
