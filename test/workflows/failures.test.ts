/**
 * When apps misbehave: an SLA breach alerted while one app keeps failing (the others finish),
 * a non-retryable failure fixed by an operator's `retryApp`, and a worker restarted in the
 * middle of a leaver that finishes without repeating completed requests.
 */
import { resolveSecret } from '../../lib/config';
import type { PolicyConfig } from '../../lib/config/types';
import { startAlertReceiver, type AlertReceiver } from '../helpers/alert-receiver';
import { hrEvent, received, startLifecycleStack, type LifecycleStack } from '../helpers/lifecycle-stack';

jest.setTimeout(120_000);

describe('lifecycle under failures', () => {
  let stack: LifecycleStack;
  let hook: AlertReceiver;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  beforeAll(async () => {
    hook = await startAlertReceiver();
    const policy = (p: PolicyConfig): PolicyConfig => ({ ...p, notifications: { webhookUrl: hook.url } });
    stack = await startLifecycleStack({ policy });
  });
  afterAll(async () => {
    await stack?.stop();
    await hook?.close();
  });

  it('records and alerts an SLA breach while GitHub keeps failing, without holding up the other apps', async () => {
    await stack.send(
      hrEvent('hire', { employeeId: 'S1' }, { eventId: 'S1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('S1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    const github = stack.apps.apps.github!.server;
    github.setFaults({ rate5xx: 1, methods: ['PATCH'] });
    await stack.send(
      hrEvent('terminate', { employeeId: 'S1' }, { eventId: 'S1-term', effectiveAt: await now(), sequence: 2 }),
    );

    // Slack is revoked at once; the 15-minute SLA passes while GitHub answers 503.
    await stack.waitFor(
      'S1',
      () => stack.apps.apps.slack!.server.users().find((u) => u.externalId === 'S1')?.active === false,
    );
    await stack.env.sleep(20 * 60_000);
    const breach = hook.alerts.find((a) => a.kind === 'sla-breached' && a.employeeId === 'S1');
    expect(breach).toMatchObject({ lifecycle: 'leaver', eventId: 'S1-term', workflowId: 'leaver-S1-S1-term' });
    expect(github.users().find((u) => u.externalId === 'S1')?.active).toBe(true);

    github.setFaults({});
    const status = await stack.waitFor(
      'S1',
      (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'),
      4 * 60 * 60_000,
    );
    expect(status.failedApps).toEqual([]);
    const timeline = (await stack.timeline('S1'))!;
    expect(timeline.find((t) => t.kind === 'sla-breached')).toMatchObject({ eventId: 'S1-term', slaBreached: true });
    expect(timeline.find((t) => t.kind === 'lifecycle-completed' && t.eventId === 'S1-term')).toMatchObject({
      slaBreached: true,
    });
  });

  it("marks a non-retryable failure, alerts it, and an operator's retryApp finishes the step", async () => {
    const github = stack.apps.apps.github!.server;
    // The team for Platform was deleted in GitHub and the connector may not create teams.
    const platform = github.groups().find((g) => g.displayName === 'eng-Platform')!;
    await deleteInApp(`${stack.apps.apps.github!.url}/Groups/${platform.id}`);
    await stack.send(
      hrEvent(
        'hire',
        { employeeId: 'F1', department: 'Platform' },
        { eventId: 'F1-hire', effectiveAt: await now(), sequence: 1 },
      ),
    );
    const failed = await stack.waitFor('F1', (s) => s.stage === 'idle' && s.failedApps.length === 1);
    expect(failed.failedApps).toEqual(['github']);
    expect(failed.accounts.find((a) => a.app === 'github')?.lastError).toMatchObject({
      type: 'SCIM_NOT_FOUND',
      nonRetryable: true,
    });
    expect(failed.accounts.find((a) => a.app === 'slack')?.state).toBe('active');
    expect(hook.alerts.some((a) => a.kind === 'app-failed' && a.employeeId === 'F1' && a.app === 'github')).toBe(true);

    github.seedGroup({ displayName: 'eng-Platform' });
    await stack.env.client.workflow
      .getHandle('employee-F1')
      .signal('retryApp', { app: 'github', requestedBy: 'ops@example.com' });
    const fixed = await stack.waitFor('F1', (s) => s.stage === 'idle' && s.failedApps.length === 0);
    expect(fixed.accounts.find((a) => a.app === 'github')?.state).toBe('active');
    expect(github.users().filter((u) => u.externalId === 'F1')).toHaveLength(1);
  });

  it('a worker restarted in the middle of a leaver finishes it without repeating completed requests', async () => {
    await stack.send(
      hrEvent('hire', { employeeId: 'W1' }, { eventId: 'W1-hire', effectiveAt: await now(), sequence: 1 }),
    );
    await stack.waitFor('W1', (s) => s.stage === 'idle' && s.accounts.length === 2);
    const github = stack.apps.apps.github!.server;
    github.setFaults({ latencyMs: 1500, methods: ['PATCH'] });
    const before = { slack: received(stack, 'slack').length, github: received(stack, 'github').length };
    await stack.send(
      hrEvent('terminate', { employeeId: 'W1' }, { eventId: 'W1-term', effectiveAt: await now(), sequence: 2 }),
    );
    await new Promise((r) => setTimeout(r, 700));
    await stack.restartWorker();
    github.setFaults({});
    await stack.waitFor('W1', (s) => s.stage === 'idle' && s.accounts.every((a) => a.state === 'deactivated'));
    // One deactivation each (the group removals that follow it are PATCHes on /Groups).
    const deactivations = (app: string, from: number) =>
      received(stack, app)
        .slice(from)
        .filter((r) => r.startsWith('PATCH /scim/v2/Users/'));
    expect(deactivations('slack', before.slack)).toHaveLength(1);
    expect(deactivations('github', before.github)).toHaveLength(1);
  });
});

/** An admin deleting something directly in the app. */
async function deleteInApp(url: string): Promise<void> {
  const token = await resolveSecret('env:GITHUB_SCIM_TOKEN');
  const res = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(204);
}
