/**
 * Reconciliation end to end: people hired and terminated through the real workflows on the
 * embedded engine, then drift injected directly into the reference apps — a leaver re-enabled
 * by hand, an attribute changed, a stray group member, an orphan, an account without
 * externalId, a duplicate account, a duplicate group, and paging that repeats pages. Each kind
 * is found; --apply repairs exactly what it should and nothing else.
 */
import type { PolicyConfig } from '../../lib/config/types';
import { reconcile, type PersonRecord, type ReconcileReport } from '../../lib/reconcile';
import { ScimClients } from '../../lib/scim';
import { createLogger } from '../../lib/logger';
import { listEmployeeStatuses } from '../../lib/temporal/employee-client';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(180_000);

/** Slack for everyone (shipped rule), GitHub for engineering; Canva left out to keep it small. */
function slackAndGithubOnly(policy: PolicyConfig): PolicyConfig {
  return { ...policy, access: { rules: policy.access.rules.filter((r) => r.grant.every((g) => g.app !== 'canva')) } };
}

describe('jml reconcile', () => {
  let stack: LifecycleStack;
  let scim: ScimClients;
  let seq = 0;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  beforeAll(async () => {
    stack = await startLifecycleStack({ policy: slackAndGithubOnly });
    scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
    for (const id of ['R1', 'R2', 'R3']) {
      await stack.send(
        hrEvent(
          'hire',
          { employeeId: id, department: 'Engineering' },
          { eventId: `${id}-hire`, effectiveAt: await now(), sequence: ++seq },
        ),
      );
      await stack.waitFor(
        id,
        (s) => s.stage === 'idle' && s.accounts.length === 2 && s.accounts.every((a) => a.state === 'active'),
      );
    }
    await stack.send(
      hrEvent('terminate', { employeeId: 'R3' }, { eventId: 'R3-term', effectiveAt: await now(), sequence: ++seq }),
    );
    await stack.waitFor('R3', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state !== 'active'));
  });
  afterAll(async () => {
    await scim?.close();
    await stack?.stop();
  });

  const people = async (): Promise<PersonRecord[]> => listEmployeeStatuses(stack.env.client);
  const run = async (apply = false): Promise<ReconcileReport> =>
    reconcile({ config: stack.config, scim, people: await people(), apply });
  const kinds = (report: ReconcileReport, app: string) =>
    report.apps
      .find((a) => a.app === app)!
      .findings.map((f) => `${f.kind}:${f.employeeId ?? f.scimId}`)
      .sort();

  it('finds nothing where the apps hold what the workflows made', async () => {
    const report = await run();
    expect(report.apps.map((a) => a.error)).toEqual([undefined, undefined, undefined]);
    expect(report.apps.flatMap((a) => a.findings)).toEqual([]);
    // Every person is known, with the HR snapshot reconciliation compares against.
    expect((await people()).map((p) => [p.employeeId, p.snapshot?.status])).toEqual([
      ['R1', 'active'],
      ['R2', 'active'],
      ['R3', 'terminated'],
    ]);
  });

  it('finds each kind of drift, and --apply repairs exactly what is safe', async () => {
    const slackServer = stack.apps.apps.slack!.server;
    const githubServer = stack.apps.apps.github!.server;
    const slack = scim.get(stack.config.connectors.slack!);
    const github = scim.get(stack.config.connectors.github!);
    const account = (server: typeof slackServer, externalId: string) =>
      server.users().find((u) => u.externalId === externalId)!;
    const group = (server: typeof slackServer, name: string) => server.groups().find((g) => g.displayName === name)!;
    // This Slack stand-in keeps duplicate group names and repeats page 1 past the end, as some apps do.
    slackServer.setProfile({ base: 'slack', uniqueGroupNames: false, pastEndRepeatsFirstPage: true });

    const r1 = account(slackServer, 'R1');
    const r3 = account(slackServer, 'R3');
    await slack.reactivateUser(r3.id!); // an admin re-enables a leaver by hand
    await slack.patchUser(r1.id!, [{ op: 'replace', path: 'title', value: 'Changed by hand' }]);
    await slack.removeMembers(group(slackServer, 'all-staff').id, [r1.id!]); // R1 dropped from a granted group
    const r3github = account(githubServer, 'R3');
    await github.addMembers(group(githubServer, 'eng-all').id, [r3github.id!]); // a leaver put back in a team
    const orphan = slackServer.seedUser({
      userName: 'gone@example.com',
      externalId: 'X999',
      active: true,
      name: { givenName: 'O', familyName: 'R' },
    });
    const unmanaged = slackServer.seedUser({
      userName: 'admin@example.com',
      active: true,
      name: { givenName: 'A', familyName: 'D' },
    });
    const duplicate = githubServer.seedUser({
      userName: 'r2-second@example.com',
      externalId: 'R2',
      active: true,
      name: { givenName: 'R', familyName: 'Two' },
    });
    slackServer.seedGroup({ displayName: 'announcements' }); // a second group of a managed name

    const before = await run();
    expect(kinds(before, 'slack')).toEqual(
      [
        'active-leaver:R3',
        'attribute-drift:R1',
        'group-drift:R1',
        `orphan:${orphan.id}`,
        `unmanaged:${unmanaged.id}`,
        `duplicate-group:undefined`,
      ].sort(),
    );
    expect(kinds(before, 'github')).toEqual(['duplicate-account:R2', 'group-drift:R3'].sort());
    expect(kinds(before, 'canva')).toEqual([]);
    const drift = before.apps.find((a) => a.app === 'slack')!;
    // Attribute names, never values (another person's data must not leak into a report).
    expect(JSON.stringify(before)).not.toContain('Changed by hand');
    expect(drift.findings.find((f) => f.kind === 'attribute-drift')!.detail).toContain('title');
    // The repeated first page did not loop or double-count.
    expect(drift.scanned.users).toBe(slackServer.users().length);

    const applied = await run(true);
    const repaired = applied.apps
      .flatMap((a) => a.findings.filter((f) => f.repaired === 'yes').map((f) => `${a.app}:${f.kind}:${f.employeeId}`))
      .sort();
    expect(repaired).toEqual(
      ['github:group-drift:R3', 'slack:active-leaver:R3', 'slack:attribute-drift:R1', 'slack:group-drift:R1'].sort(),
    );
    expect(applied.apps.flatMap((a) => a.findings).filter((f) => f.repaired === 'failed')).toEqual([]);

    // What the apps hold now: repaired...
    expect(account(slackServer, 'R3').active).toBe(false);
    expect(slackServer.users().find((u) => u.id === r1.id)!.title).not.toBe('Changed by hand');
    expect(group(slackServer, 'all-staff').members?.map((m) => m.value)).toContain(r1.id);
    expect(group(githubServer, 'eng-all').members?.map((m) => m.value) ?? []).not.toContain(r3github.id);
    // ...and nothing else touched: the orphan, the unmanaged and the duplicate account stay as they were.
    expect(slackServer.users().find((u) => u.id === orphan.id)?.active).toBe(true);
    expect(slackServer.users().find((u) => u.id === unmanaged.id)?.active).toBe(true);
    expect(githubServer.users().find((u) => u.id === duplicate.id)?.active).toBe(true);

    const after = await run();
    expect(kinds(after, 'slack')).toEqual(
      [`orphan:${orphan.id}`, `unmanaged:${unmanaged.id}`, 'duplicate-group:undefined'].sort(),
    );
    expect(kinds(after, 'github')).toEqual(['duplicate-account:R2']);
  });

  it('reports an account that should exist and does not as missing; without a way to ask the lifecycle, --apply creates nothing', async () => {
    const github = scim.get(stack.config.connectors.github!);
    const r1 = stack.apps.apps.github!.server.users().find((u) => u.externalId === 'R1')!;
    await github.deleteUser(r1.id!); // removed by hand in the app
    const report = await run(true);
    const missing = report.apps.find((a) => a.app === 'github')!.findings.filter((f) => f.kind === 'missing');
    expect(missing).toEqual([expect.objectContaining({ employeeId: 'R1' })]);
    expect(missing[0]!.repaired).toBeUndefined();
    expect(stack.apps.apps.github!.server.users().filter((u) => u.externalId === 'R1')).toEqual([]);
  });
});
