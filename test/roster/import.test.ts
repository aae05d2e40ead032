/**
 * The initial load end to end: a company of 200 people whose apps already hold 150 of them
 * (mixed-case userNames, some accounts without externalId, one app that drops externalId), the
 * real workflows on the embedded engine and the reference SCIM servers. `importRoster` with
 * apply adopts the 150, the lifecycle creates the 50, and scanning the apps afterwards finds
 * exactly one account per person per app. Conflicts are reported and never adopted.
 */
import type { PolicyConfig } from '../../lib/config/types';
import type { EmployeeRecord } from '../../lib/hr/employee';
import { createLogger } from '../../lib/logger';
import { importExitCode, importRoster, type ImportReport } from '../../lib/roster';
import { ScimClients } from '../../lib/scim';
import { listEmployeeIds, listEmployeeStatuses } from '../../lib/temporal/employee-client';
import { startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(600_000);

/** Slack (with a group), Canva (PUT only) and GitHub for everyone: three apps, three ways of writing. */
function everyoneEverywhere(policy: PolicyConfig): PolicyConfig {
  return {
    ...policy,
    access: {
      rules: [
        {
          name: 'everyone',
          when: {},
          grant: [
            { app: 'slack', groups: ['all-staff'] },
            { app: 'canva', groups: [] },
            { app: 'github', groups: [] },
          ],
        },
      ],
    } as PolicyConfig['access'],
  };
}

const person = (n: number): EmployeeRecord => {
  const id = `P${String(n).padStart(3, '0')}`;
  return {
    employeeId: id,
    givenName: 'Pat',
    familyName: `Person${n}`,
    workEmail: `pat.person${n}@example.com`,
    department: 'Sales',
    employmentType: 'FULL_TIME',
    status: 'active',
  };
};

describe('jml import (initial load)', () => {
  let stack: LifecycleStack;
  let scim: ScimClients;

  beforeAll(async () => {
    stack = await startLifecycleStack({
      policy: everyoneEverywhere,
      // The test is about correlation, not pacing: the apps' rate limits would only make it slow.
      connector: (c) => ({
        ...c,
        rateLimit: { ...c.rateLimit, requestsPerSecond: 1000, burst: 1000, budget: undefined },
      }),
      serverOptions: (app) => ({
        rateLimit: null,
        // This GitHub stand-in acknowledges externalId and drops it, as some apps do.
        ...(app === 'github' ? { profile: { base: 'github', ignoresExternalId: true } } : {}),
      }),
    });
    scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await scim?.close();
    await stack?.stop();
  });

  const server = (app: string) => stack.apps.apps[app]!.server;
  const deliver = { deliver: (event: Parameters<LifecycleStack['send']>[0]) => stack.send(event) };

  /** Lets virtual time pass until every listed person's joiner is done. */
  async function waitForJoiners(ids: string[]): Promise<void> {
    const want = new Set(ids);
    for (let i = 0; i < 200; i++) {
      const statuses = (await listEmployeeStatuses(stack.env.client)).filter((s) => want.has(s.employeeId));
      const done = statuses.filter(
        (s) => s.stage === 'idle' && s.accounts.length === 3 && s.accounts.every((a) => a.state === 'active'),
      );
      if (done.length === want.size) return;
      await stack.env.sleep(5_000);
    }
    throw new Error('joiners not done');
  }

  it('adopts the 150 existing people, creates the 50 others, and leaves no duplicate account', async () => {
    const people = Array.from({ length: 200 }, (_, i) => person(i + 1));
    // The apps hold the first 150, as an admin made them: userNames typed in mixed case, and
    // externalId only on some (every third in Slack, every other in Canva; GitHub drops it anyway).
    for (const p of people.slice(0, 150)) {
      const n = Number(p.employeeId.slice(1));
      const mixed = p.workEmail!.replace('pat', 'Pat').replace('example.com', 'Example.COM');
      const name = { givenName: p.givenName, familyName: p.familyName };
      const emails = [{ value: p.workEmail!, type: 'work', primary: true }];
      server('slack').seedUser({
        userName: mixed,
        name,
        emails,
        active: true,
        ...(n % 3 === 0 ? { externalId: p.employeeId } : {}),
      });
      server('canva').seedUser({
        userName: mixed,
        name,
        emails,
        active: true,
        ...(n % 2 === 0 ? { externalId: p.employeeId } : {}),
      });
      server('github').seedUser({ userName: p.workEmail!.toUpperCase(), name, emails, active: true });
    }
    // Accounts nobody in the roster claims: reported, never touched.
    for (const app of ['slack', 'canva', 'github'])
      server(app).seedUser({
        userName: 'it-admin@example.com',
        name: { givenName: 'I', familyName: 'T' },
        active: true,
      });

    const dry = await importRoster({
      config: stack.config,
      scim,
      people,
      managed: await listEmployeeIds(stack.env.client),
    });
    for (const app of dry.apps) {
      expect([
        app.app,
        app.error,
        app.matches.length,
        app.toCreate.length,
        app.conflicts,
        app.unclaimed.length,
      ]).toEqual([app.app, undefined, 150, 50, [], 1]);
    }
    const slackDry = dry.apps.find((a) => a.app === 'slack')!;
    expect(slackDry.matches.filter((m) => m.by === 'externalId')).toHaveLength(50);
    expect(slackDry.matches.filter((m) => m.by === 'userName' && m.adoption === 'set-externalId')).toHaveLength(100);
    expect(importExitCode(dry, false)).toBe(1); // work to do
    // The dry run changed nothing.
    expect(
      server('slack')
        .users()
        .filter((u) => u.externalId),
    ).toHaveLength(50);
    expect(await listEmployeeIds(stack.env.client)).toEqual(new Set());

    const applied = await importRoster({
      config: stack.config,
      scim,
      people,
      managed: await listEmployeeIds(stack.env.client),
      apply: deliver,
    });
    const adopted = (app: string) => applied.apps.find((a) => a.app === app)!.adopted!.map((a) => a.result);
    expect(adopted('slack').filter((r) => r === 'externalId-set')).toHaveLength(100);
    expect(adopted('canva').filter((r) => r === 'externalId-set')).toHaveLength(75); // by PUT: Canva has no PATCH
    // GitHub acknowledged and dropped externalId: adopted by userName, which the joiner's create meets.
    expect(adopted('github')).toEqual(Array(150).fill('by-userName'));
    expect(applied.started).toHaveLength(200);
    expect(applied.notStarted).toEqual([]);
    expect(importExitCode(applied, true)).toBe(0);

    await waitForJoiners(people.map((p) => p.employeeId));

    // Scan the apps: exactly one account per person, the 150 original ones kept, the admin untouched.
    for (const app of ['slack', 'canva', 'github']) {
      const { resources } = await scim.get(stack.config.connectors[app]!).scanUsers();
      expect(resources).toHaveLength(201);
      const byPerson = new Map<string, number>();
      for (const u of resources) {
        if (u.userName === 'it-admin@example.com') continue;
        const key = app === 'github' ? u.userName!.toLowerCase() : u.externalId!;
        byPerson.set(key, (byPerson.get(key) ?? 0) + 1);
      }
      expect(byPerson.size).toBe(200);
      expect([...byPerson.values()].every((n) => n === 1)).toBe(true);
      expect(resources.every((u) => u.active !== false)).toBe(true);
    }
    // Each person's workflow knows the account it adopted: the seeded id for the first 150.
    const statuses = await listEmployeeStatuses(stack.env.client);
    const seededSlack = new Map(
      server('slack')
        .users()
        .map((u) => [u.externalId, u.id]),
    );
    const p1 = statuses.find((s) => s.employeeId === 'P001')!;
    expect(p1.accounts.find((a) => a.app === 'slack')!.scimId).toBe(seededSlack.get('P001'));

    // Importing the same roster again: everyone is managed now, nothing to do, nothing sent.
    const again = await importRoster({
      config: stack.config,
      scim,
      people,
      managed: await listEmployeeIds(stack.env.client),
      apply: deliver,
    });
    expect(again.managed).toHaveLength(200);
    expect(again.started).toEqual([]);
    expect(again.apps.every((a) => a.matches.length === 0 && a.toCreate.length === 0 && a.unclaimed.length === 1)).toBe(
      true,
    );
  });

  it('reports conflicts, adopts none of them and starts no one in conflict', async () => {
    const slack = server('slack');
    const name = { givenName: 'C', familyName: 'Onflict' };
    // Two accounts carry C1's externalId; C2's userName is on an account whose externalId is someone else's.
    slack.seedUser({ userName: 'c1-a@example.com', externalId: 'C1', name, active: true });
    slack.seedUser({ userName: 'c1-b@example.com', externalId: 'C1', name, active: true });
    const c2 = slack.seedUser({ userName: 'C2@example.com', externalId: 'LEGACY-9', name, active: true });
    const ok = { ...person(300), employeeId: 'C3', workEmail: 'c3@example.com' };
    const roster: EmployeeRecord[] = [
      { ...person(301), employeeId: 'C1', workEmail: 'c1@example.com' },
      { ...person(302), employeeId: 'C2', workEmail: 'c2@example.com' },
      ok,
    ];
    const report: ImportReport = await importRoster({
      config: stack.config,
      scim,
      people: roster,
      managed: await listEmployeeIds(stack.env.client),
      apply: deliver,
    });
    const slackReport = report.apps.find((a) => a.app === 'slack')!;
    expect(slackReport.conflicts.map((c) => [c.kind, c.employeeIds.join()])).toEqual([
      ['several-accounts', 'C1'],
      ['externalid-mismatch', 'C2'],
    ]);
    expect(slackReport.adopted).toEqual([]);
    expect(report.started!.map((s) => s.employeeId)).toEqual(['C3']);
    expect(report.notStarted!.map((n) => n.employeeId)).toEqual(['C1', 'C2']);
    expect(importExitCode(report, true)).toBe(1);
    // Not adopted: C2's account keeps its externalId, and no workflow exists for C1 or C2.
    expect(slack.users().find((u) => u.id === c2.id)!.externalId).toBe('LEGACY-9');
    const managed = await listEmployeeIds(stack.env.client);
    expect([managed.has('C1'), managed.has('C2'), managed.has('C3')]).toEqual([false, false, true]);
  });

  it('a terminated person in the roster is not started; their active account is deactivated at once, none created', async () => {
    const t1 = { ...person(500), employeeId: 'T1', workEmail: 't1@example.com', status: 'terminated' as const };
    const name = { givenName: 'T', familyName: 'One' };
    const seeded = server('slack').seedUser({ userName: 'T1@Example.com', name, active: true });
    const report = await importRoster({
      config: stack.config,
      scim,
      people: [t1],
      managed: await listEmployeeIds(stack.env.client),
      apply: deliver,
    });
    const slackReport = report.apps.find((a) => a.app === 'slack')!;
    expect(slackReport.matches.map((m) => [m.employeeId, m.scimId, m.granted])).toEqual([['T1', seeded.id, false]]);
    expect(slackReport.deactivated).toEqual([{ employeeId: 'T1', scimId: seeded.id, result: 'yes' }]);
    expect(report.apps.flatMap((a) => a.toCreate)).toEqual([]);
    expect([report.started, report.terminated, report.notStarted]).toEqual([[], ['T1'], []]);
    expect(importExitCode(report, true)).toBe(0);
    const account = server('slack')
      .users()
      .find((u) => u.id === seeded.id)!;
    expect([account.externalId, account.active]).toEqual(['T1', false]);
    expect((await listEmployeeIds(stack.env.client)).has('T1')).toBe(false);
    for (const app of ['canva', 'github'])
      expect(
        server(app)
          .users()
          .filter((u) => u.userName?.toLowerCase() === 't1@example.com'),
      ).toEqual([]);
  });

  it('with --app, people granted apps it did not correlate are not started (their joiner could duplicate there)', async () => {
    const report = await importRoster({
      config: stack.config,
      scim,
      people: [{ ...person(400), employeeId: 'C4', workEmail: 'c4@example.com' }],
      managed: await listEmployeeIds(stack.env.client),
      apps: ['slack'],
      apply: deliver,
    });
    expect(report.started).toEqual([]);
    expect(report.notStarted).toEqual([
      {
        employeeId: 'C4',
        reason: 'granted canva, github, which this import did not correlate; include them (or omit --app)',
      },
    ]);
    expect(importExitCode(report, true)).toBe(1);
    expect((await listEmployeeIds(stack.env.client)).has('C4')).toBe(false);
  });
});
