/**
 * The app gate without a Temporal client (the state it learns from its own trips): what it
 * counts, what it holds and what it never holds. Reading and reporting through the app
 * workflows is tested end to end in test/workflows/app-health.test.ts.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppGate, APP_QUARANTINED, HOLD_RETRY_MS, outcomeOf } from '../../activities/app-gate';
import { POLICY_DEFAULTS } from '../../lib/config/defaults';
import type { LoadedConfig } from '../../lib/config/types';
import { ScimError } from '../../lib/scim';
import { JmlError } from '../../lib/errors';

const config = {
  connectors: {},
  dir: '.',
  policy: { quarantine: { ...POLICY_DEFAULTS.quarantine, authFailures: 2, minRequests: 4 } },
} as unknown as LoadedConfig;

const scimError = (code: string, status?: number) =>
  new ScimError(
    code as never,
    { app: 'slack', operation: 'create-user', method: 'POST', path: '/Users', status },
    { retryable: false },
  );

describe('outcomeOf', () => {
  it('classifies what the app answered', () => {
    expect(outcomeOf(scimError('SCIM_UNAUTHORIZED', 401))).toBe('auth');
    expect(outcomeOf(scimError('SCIM_FORBIDDEN', 403))).toBe('auth');
    expect(outcomeOf(scimError('SCIM_SERVER_ERROR', 503))).toBe('failure');
    expect(outcomeOf(scimError('SCIM_NETWORK'))).toBe('failure');
    expect(outcomeOf(scimError('SCIM_TIMEOUT'))).toBe('failure');
    // The app is up and answering: a conflict or a missing account is not an outage.
    expect(outcomeOf(scimError('SCIM_CONFLICT', 409))).toBe('ok');
    expect(outcomeOf(scimError('SCIM_NOT_FOUND', 404))).toBe('ok');
    // Neither: a rate limit (the app asks us to slow down) and our own config or mapping errors.
    expect(outcomeOf(scimError('SCIM_RATE_LIMITED', 429))).toBeUndefined();
    expect(outcomeOf(new JmlError('MAPPING_REQUIRED_MISSING', 'no email'))).toBeUndefined();
    expect(outcomeOf(new Error('boom'))).toBeUndefined();
  });
});

describe('AppGate', () => {
  const provision = (attempt = 1) => ({ app: 'slack', operation: 'provision', held: true, attempt });
  const deactivate = { app: 'slack', operation: 'deactivate', held: false, attempt: 1 };

  it('retries a held step’s first refusals, then quarantines and holds it without a request', async () => {
    const gate = new AppGate({ config: () => config });
    await expect(gate.admit(provision())).resolves.toBeUndefined();
    const first = gate.settle(provision(), scimError('SCIM_UNAUTHORIZED', 401))!;
    // Below the threshold: retryable (a 401 would otherwise fail the joiner for good).
    expect(first).toBeInstanceOf(ApplicationFailure);
    expect(first.nonRetryable).toBe(false);
    expect(first.type).toBe('SCIM_UNAUTHORIZED');
    const second = gate.settle(provision(2), scimError('SCIM_UNAUTHORIZED', 401))!;
    expect(second.type).toBe(APP_QUARANTINED);
    expect(second.nextRetryDelay).toBe(HOLD_RETRY_MS);
    expect(second.message).toContain('2 authentication refusals');
    expect((await gate.state('slack'))?.state).toBe('quarantined');
    // Held before any request, with the reason and the way out.
    const held = await gate.admit(provision(3)).catch((e: unknown) => e as ApplicationFailure);
    expect(held).toBeInstanceOf(ApplicationFailure);
    expect((held as ApplicationFailure).type).toBe(APP_QUARANTINED);
    expect((held as ApplicationFailure).nonRetryable).toBe(false);
    expect((held as ApplicationFailure).message).toContain('jml app resume slack');
  });

  it('never holds a deactivation; its success on a quarantined app resumes it', async () => {
    const gate = new AppGate({ config: () => config });
    gate.settle(provision(), scimError('SCIM_UNAUTHORIZED', 401));
    gate.settle(provision(), scimError('SCIM_UNAUTHORIZED', 401));
    expect((await gate.state('slack'))?.state).toBe('quarantined');
    await expect(gate.admit(deactivate)).resolves.toBeUndefined();
    // A deactivation's own failure is left as it was (a 401 stays final: the leaver alerts).
    expect(gate.settle(deactivate, scimError('SCIM_UNAUTHORIZED', 401))).toBeUndefined();
    expect(gate.settle(deactivate)).toBeUndefined();
    expect((await gate.state('slack'))?.state).toBe('active');
    await expect(gate.admit(provision())).resolves.toBeUndefined();
  });

  it('leaves errors that say nothing about the app alone, and a step never fails because the gate did', async () => {
    const gate = new AppGate({
      config: () => {
        throw new Error('config unreadable');
      },
    });
    expect(gate.settle(provision(), scimError('SCIM_SERVER_ERROR', 503))).toBeUndefined();
    expect(new AppGate({ config: () => config }).settle(provision(), new Error('boom'))).toBeUndefined();
  });

  it('does not quarantine when the policy disables it', async () => {
    const off = { ...config, policy: { quarantine: { ...config.policy.quarantine, enabled: false } } } as LoadedConfig;
    const gate = new AppGate({ config: () => off });
    for (let i = 0; i < 10; i++) expect(gate.settle(provision(), scimError('SCIM_UNAUTHORIZED', 401))).toBeUndefined();
    expect(await gate.state('slack')).toBeUndefined();
  });

  it('logs an unreadable app state once per read, not once per step that waited on it', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => void warnings.push(msg) } as never;
    let reads = 0;
    // A client whose query fails as a timed-out one does.
    const temporal = {
      withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
      workflow: {
        getHandle: () => ({
          query: async () => {
            reads++;
            throw new Error('4 DEADLINE_EXCEEDED: Deadline exceeded');
          },
        }),
      },
    } as unknown as Client;
    const gate = new AppGate({ config: () => config, temporal, logger, readTimeoutMs: 1_000 });
    // Held steps go ahead (fail open); deactivations never read the state at all.
    await Promise.all(Array.from({ length: 50 }, (_, n) => gate.admit(provision(n + 1))));
    await gate.admit(deactivate);
    expect(reads).toBe(1);
    expect(warnings).toEqual(['app gate: state of the app not readable; held steps go ahead until the next read']);
  });
});
