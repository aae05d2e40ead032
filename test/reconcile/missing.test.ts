/**
 * `missing` accounts repaired through the lifecycle, end to end on the embedded engine against
 * the reference apps: an account deleted by hand in the app is found by reconciliation, and
 * --apply asks the person's employee workflow (the `ensureAccount` Update), whose joiner step
 * recreates it — the registry, `status`, the workflow timeline and the audit store all show
 * it, and the app holds exactly one account. A terminated person's account deleted by hand is
 * not recreated, and the workflow refuses such a request (and one for an app the policy does
 * not grant) with the reason. An account that reappeared meanwhile is adopted, not duplicated.
 */
import { AuditStore } from '../../lib/audit';
import type { PolicyConfig } from '../../lib/config/types';
import { createLogger } from '../../lib/logger';
import { ensureThroughLifecycle, reconcile, type ReconcileReport } from '../../lib/reconcile';
import { ScimClients } from '../../lib/scim';
import {
  listEmployeeStatuses,
  OperatorActionRejectedError,
  runOperatorAction,
} from '../../lib/temporal/employee-client';
import type { TimelineEntry } from '../../lib/lifecycle/types';
import { TEST_AUDIT_KEY } from '../helpers/audit-targets';
import { hrEvent, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(180_000);

/** Slack for everyone, GitHub for engineering; no Canva (so a request for it is outside the access). */
function slackAndGithubOnly(policy: PolicyConfig): PolicyConfig {
  return { ...policy, access: { rules: policy.access.rules.filter((r) => r.grant.every((g) => g.app !== 'canva')) } };
}

describe('reconciliation: missing accounts through the lifecycle', () => {
  let stack: LifecycleStack;
  let store: AuditStore;
  let scim: ScimClients;
  let seq = 0;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  const github = () => stack.apps.apps.github!.server;
  const accountsOf = (externalId: string) =>
    github()
      .users()
      .filter((u) => u.externalId === externalId);
  const run = async (apply: boolean): Promise<ReconcileReport> =>
    reconcile({
      config: stack.config,
      scim,
      people: await listEmployeeStatuses(stack.env.client),
      apps: ['github'],
      apply,
      ensureAccount: ensureThroughLifecycle(stack.env.client, 'reconcile:test'),
    });

  beforeAll(async () => {
    store = await AuditStore.open({ key: TEST_AUDIT_KEY });
    stack = await startLifecycleStack({ policy: slackAndGithubOnly, auditStore: store });
    scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
    for (const id of ['M1', 'M2']) {
      await stack.send(
        hrEvent('hire', { employeeId: id }, { eventId: `${id}-hire`, effectiveAt: await now(), sequence: ++seq }),
      );
      await stack.waitFor(
        id,
        (s) => s.stage === 'idle' && s.accounts.length === 2 && s.accounts.every((a) => a.state === 'active'),
      );
    }
    await stack.send(
      hrEvent('terminate', { employeeId: 'M2' }, { eventId: 'M2-term', effectiveAt: await now(), sequence: ++seq }),
    );
    await stack.waitFor('M2', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));
  });
  afterAll(async () => {
    await scim?.close();
    await stack?.stop();
    await store?.close();
  });

  it('recreates an account deleted by hand through the employee workflow, and leaves a leaver’s alone', async () => {
    const client = scim.get(stack.config.connectors.github!);
    const [before] = accountsOf('M1');
    await client.deleteUser(before!.id!); // deleted by hand in the app
    await client.deleteUser(accountsOf('M2')[0]!.id!); // a leaver's (deactivated) account, deleted by hand too
    expect(accountsOf('M1')).toEqual([]);
    const postsBefore = github().requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Users')).length;

    const report = await run(true);
    const findings = report.apps[0]!.findings;
    // Only the active person's account is missing; the leaver's is not wanted, so not a finding.
    expect(findings.map((f) => `${f.kind}:${f.employeeId}`)).toEqual(['missing:M1']);
    expect(findings[0]).toMatchObject({ repaired: 'requested', requestId: 'ensure-github-1' });

    // The workflow's joiner step made it: the registry (status) knows the new account.
    const status = await stack.waitFor(
      'M1',
      (s) => s.stage === 'idle' && s.accounts.some((a) => a.app === 'github' && a.scimId !== before!.id),
    );
    const account = status.accounts.find((a) => a.app === 'github')!;
    expect(account.state).toBe('active');
    const now1 = accountsOf('M1');
    expect(now1.map((u) => [u.id, u.active])).toEqual([[account.scimId, true]]);
    // Its groups came back with it (the policy grants Engineering and all).
    const groups = github()
      .groups()
      .filter((g) => (g.members ?? []).some((m) => m.value === account.scimId))
      .map((g) => g.displayName)
      .sort();
    expect(groups).toEqual([...account.groups].sort());
    expect(groups.length).toBeGreaterThan(0);
    // One create, for M1; nothing for the leaver.
    const posts = github().requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Users'));
    expect(posts.length - postsBefore).toBe(1);
    expect(accountsOf('M2')).toEqual([]);

    // The workflow timeline shows the request and the step...
    const timeline = (await stack.timeline('M1'))!;
    const step = (t: TimelineEntry) => t.eventId === 'ensure-github-1';
    expect(
      timeline.filter(step).map((t) => `${t.kind}${t.app ? `:${t.app}` : ''}${t.action ? `:${t.action}` : ''}`),
    ).toEqual(
      expect.arrayContaining(['account-requested:github', 'lifecycle-started', 'app-succeeded:github:created']),
    );
    expect(timeline.find((t) => t.kind === 'account-requested')!.detail).toContain('by reconcile:test');
    // ...and so does the audit store: the milestones and the create request, under the request's id.
    let milestones: TimelineEntry[] = [];
    for (let i = 0; i < 100 && !milestones.some((m) => m.kind === 'app-succeeded'); i++) {
      milestones = (await store.records({ employeeId: 'M1', kind: 'milestone' }))
        .map((r) => r.data as unknown as TimelineEntry)
        .filter(step);
      await stack.env.sleep(1_000);
    }
    expect(milestones.map((m) => m.kind)).toEqual(
      expect.arrayContaining(['account-requested', 'lifecycle-started', 'app-succeeded', 'lifecycle-completed']),
    );
    const requests = (await store.records({ employeeId: 'M1', kind: 'scim-request' })).map(
      (r) => r.data as { operation?: string; eventId?: string; app?: string },
    );
    expect(requests.filter((r) => r.eventId === 'ensure-github-1' && r.operation === 'create-user')).toHaveLength(1);

    // Reconciled: nothing missing any more, and exactly one account.
    const after = await run(false);
    expect(after.apps[0]!.findings).toEqual([]);
    expect(accountsOf('M1')).toHaveLength(1);
  });

  it('refuses with the reason: a leaver, an app outside the access, an unknown person', async () => {
    const ask = (employeeId: string, app: string) =>
      runOperatorAction(stack.env.client, employeeId, { kind: 'ensure-account', app, requestedBy: 'test' });
    await expect(ask('M2', 'github')).rejects.toThrow(OperatorActionRejectedError);
    await expect(ask('M2', 'github')).rejects.toMatchObject({ reason: expect.stringContaining('is a leaver') });
    await expect(ask('M1', 'canva')).rejects.toMatchObject({
      reason: expect.stringContaining('canva is not in M1'),
    });
    // Through reconciliation's port: a rejection is an answer, not an error.
    const port = ensureThroughLifecycle(stack.env.client, 'reconcile:test');
    expect(await port('github', 'M2')).toEqual({ requested: false, reason: expect.stringContaining('is a leaver') });
    expect(await port('github', 'NOBODY')).toEqual({
      requested: false,
      reason: 'no running lifecycle workflow employee-NOBODY',
    });
    // Nothing was created for the leaver.
    await stack.env.sleep(10_000);
    expect(accountsOf('M2')).toEqual([]);
    expect((await stack.status('M2')).accounts.find((a) => a.app === 'github')!.state).toBe('deactivated');
  });

  it('adopts an account that reappeared in the app instead of creating a second one', async () => {
    const client = scim.get(stack.config.connectors.github!);
    await client.deleteUser(accountsOf('M1')[0]!.id!);
    // Restored by hand before the request runs (same externalId): the step's lookup finds it.
    const restored = github().seedUser({
      userName: 'm1@example.com',
      externalId: 'M1',
      active: true,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
    });
    const answer = await runOperatorAction(stack.env.client, 'M1', {
      kind: 'ensure-account',
      app: 'github',
      requestedBy: 'test',
    });
    expect(answer).toMatchObject({ kind: 'ensure-account', result: { app: 'github', requestId: 'ensure-github-2' } });
    const status = await stack.waitFor(
      'M1',
      (s) => s.stage === 'idle' && s.accounts.some((a) => a.app === 'github' && a.scimId === restored.id),
    );
    expect(status.accounts.find((a) => a.app === 'github')!.state).toBe('active');
    expect(accountsOf('M1').map((u) => u.id)).toEqual([restored.id]);
    const timeline = (await stack.timeline('M1'))!;
    expect(
      timeline.filter((t) => t.eventId === 'ensure-github-2' && t.kind === 'app-succeeded').map((t) => t.action),
    ).toEqual(['adopted']);
  });
});
