/**
 * Conformance: timers (30-day skip, cancelled timers, condition timeouts), TestService time
 * skipping, child workflows (result, failure chain, cancellation, parent-close policies),
 * signalling and cancelling external workflows, markers via patched(), and a workflow that
 * handles its own cancellation.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, ChildWorkflowFailure, TerminatedFailure } from '@temporalio/common';
import { AGAINST_REAL_SERVER, eventually, startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const DAY_MS = 24 * 3600_000;

describe('conformance: timers, children, external workflows, markers', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'orchestration.ts' });
  });

  afterAll(async () => {
    await h?.teardown();
  });

  const statusOf = async (workflowId: string) =>
    (await h.env.client.workflow.getHandle(workflowId).describe()).status.name;
  const waitForStatus = (workflowId: string, status: string) =>
    eventually(
      () => statusOf(workflowId),
      (s) => s === status,
    );

  describe('timers and time skipping', () => {
    // A real server has no time skipping: these would take 30 days.
    const itSkipping = AGAINST_REAL_SERVER ? it.skip : it;

    itSkipping(
      'skips a 30-day timer',
      async () => {
        const before = await h.env.currentTimeMs();
        const handle = await h.start('longTimer', { args: ['30 days'] });
        await expect(handle.result()).resolves.toBe('woke');
        expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * DAY_MS);
      },
      10_000,
    );

    itSkipping('env.sleep advances the clock and fires due timers', async () => {
      const before = await h.env.currentTimeMs();
      const handle = await h.start('longTimer', { args: ['1 hour'] });
      await h.env.sleep(3600_000 + 1000);
      expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(3600_000);
      await expect(waitForStatus(handle.workflowId, 'COMPLETED')).resolves.toBe('COMPLETED');
    });

    it('cancels a timer before it fires and records TimerCanceled', async () => {
      const handle = await h.start('cancelledTimer');
      await expect(handle.result()).resolves.toBe('timer cancelled');
      const history = await handle.fetchHistory();
      expect(history.events?.some((e) => e.timerCanceledEventAttributes)).toBe(true);
      expect(history.events?.filter((e) => e.timerFiredEventAttributes)).toHaveLength(1);
    });

    it('times out a condition with a timer', async () => {
      const handle = await h.start('conditionTimeout');
      await expect(handle.result()).resolves.toBe(false);
    });
  });

  describe('child workflows', () => {
    it('returns the child result to the parent', async () => {
      const handle = await h.start('parentOf', { args: ['return', 'x'] });
      await expect(handle.result()).resolves.toBe('child got x');
      h.track(h.env.client.workflow.getHandle(`${handle.workflowId}-child`));
    });

    it('fails the parent with WorkflowFailedError → ChildWorkflowFailure → ApplicationFailure', async () => {
      const handle = await h.start('parentOf', { args: ['fail', 'y'] });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const childFailure = (err as WorkflowFailedError).cause as ChildWorkflowFailure;
      expect(childFailure).toBeInstanceOf(ChildWorkflowFailure);
      expect(childFailure.execution.workflowId).toBe(`${handle.workflowId}-child`);
      expect(childFailure.workflowType).toBe('child');
      expect(childFailure.cause).toBeInstanceOf(ApplicationFailure);
      expect((childFailure.cause as ApplicationFailure).type).toBe('ChildBroke');
      expect(childFailure.cause?.message).toBe('child failed: y');
    });

    it('shows a pending child in describe and cancels it', async () => {
      const handle = await h.start('parentCancelsChild');
      const described = await eventually(
        () => handle.describe(),
        (d) => (d.raw.pendingChildren?.length ?? 0) > 0,
      );
      expect(described.raw.pendingChildren?.[0]?.workflowId).toBe(`${handle.workflowId}-child`);
      await handle.signal('go');
      await expect(handle.result()).resolves.toBe('child cancelled: ChildWorkflowFailure');
      await expect(statusOf(`${handle.workflowId}-child`)).resolves.toBe('CANCELLED');
    });

    it('parent-close policy TERMINATE terminates the child', async () => {
      const handle = await h.start('parentWithPolicy', { args: ['TERMINATE'] });
      const childId = (await handle.result()) as string;
      const err = await h.env.client.workflow
        .getHandle(childId)
        .result()
        .catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    });

    it('parent-close policy REQUEST_CANCEL cancels the child', async () => {
      const handle = await h.start('parentWithPolicy', { args: ['REQUEST_CANCEL'] });
      const childId = (await handle.result()) as string;
      const err = await h.env.client.workflow
        .getHandle(childId)
        .result()
        .catch((e: unknown) => e);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      await expect(statusOf(childId)).resolves.toBe('CANCELLED');
    });

    it('parent-close policy ABANDON leaves the child running', async () => {
      const handle = await h.start('parentWithPolicy', { args: ['ABANDON'] });
      const childId = (await handle.result()) as string;
      const childHandle = h.env.client.workflow.getHandle(childId);
      await expect(statusOf(childId)).resolves.toBe('RUNNING');
      await childHandle.signal('add', 'still here');
      await expect(childHandle.result()).resolves.toEqual(['still here']);
      h.track(childHandle);
    });
  });

  describe('external workflows and self-cancellation', () => {
    it('signals an external workflow', async () => {
      const target = await h.start('waiter', { args: [1] });
      const sender = await h.start('signalExternal', { args: [target.workflowId, 'hello'] });
      await sender.result();
      await expect(target.result()).resolves.toEqual(['hello']);
    });

    it('a signal to a workflow that does not exist rejects in the sender (which goes on)', async () => {
      const sender = await h.start('signalMaybeMissing', { args: [`missing-${Date.now()}`, 'hello'] });
      await expect(sender.result()).resolves.toMatch(/^rejected: /);
      // And a running one receives it.
      const target = await h.start('waiter', { args: [1] });
      const again = await h.start('signalMaybeMissing', { args: [target.workflowId, 'hi'] });
      await expect(again.result()).resolves.toBe('delivered');
      await expect(target.result()).resolves.toEqual(['hi']);
    });

    it('starting a child under an id that is running is refused; the abandoned child outlives its parent', async () => {
      const childId = `named-child-${Date.now()}`;
      const parent = await h.start('startNamedChildTwice', { args: [childId] });
      await expect(parent.result()).resolves.toEqual(['started', 'refused: WorkflowExecutionAlreadyStartedError']);
      await expect(statusOf(childId)).resolves.toBe('RUNNING');
      const childHandle = h.env.client.workflow.getHandle(childId);
      await childHandle.signal('add', 'later');
      await expect(childHandle.result()).resolves.toEqual(['later']);
      h.track(childHandle);
    });

    it('cancels an external workflow, which cleans up and closes as cancelled', async () => {
      const target = await h.start('cleansUpOnCancel');
      const canceller = await h.start('cancelExternal', { args: [target.workflowId] });
      await canceller.result();
      const err = await target.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      await expect(target.query('state')).resolves.toBe('yes');
      await expect(statusOf(target.workflowId)).resolves.toBe('CANCELLED');
    });
  });

  it('records a marker for patched()', async () => {
    const handle = await h.start('patchedWorkflow');
    await expect(handle.result()).resolves.toBe('new path');
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  });

  it('histories of these workflows replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
