import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { createAlertActivity } from '../../activities/alerts';
import type { AlertInput } from '../../activities/contract';
import type { LoadedConfig } from '../../lib/config/types';
import { createLogger } from '../../lib/logger';
import { startAlertReceiver } from '../helpers/alert-receiver';

const alert: AlertInput = {
  kind: 'sla-breached',
  employeeId: 'E1',
  lifecycle: 'leaver',
  eventId: 'evt-1',
  workflowId: 'leaver-E1-evt-1',
  message: 'leaver for E1 not complete by the SLA deadline',
  atMs: Date.parse('2026-11-20T17:15:00Z'),
};

function configWith(webhookUrl?: string): () => LoadedConfig {
  return () => ({ connectors: {}, dir: '.', policy: { notifications: { webhookUrl } } }) as unknown as LoadedConfig;
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ destination, level: 'debug' }), lines };
}

describe('sendAlert', () => {
  it('posts the alert to the configured webhook and logs it', async () => {
    const hook = await startAlertReceiver();
    const { logger, lines } = capturingLogger();
    try {
      await createAlertActivity({ config: configWith(hook.url), logger })(alert);
      expect(hook.alerts).toEqual([
        expect.objectContaining({
          kind: 'sla-breached',
          employeeId: 'E1',
          at: '2026-11-20T17:15:00.000Z',
          text: alert.message,
        }),
      ]);
      expect(lines.some((l) => String(l.msg).startsWith('ALERT sla-breached'))).toBe(true);
    } finally {
      await hook.close();
    }
  });

  it('logs an SLA breach folded into a mass-change guard hold but does not post it', async () => {
    const hook = await startAlertReceiver();
    const { logger, lines } = capturingLogger();
    try {
      await createAlertActivity({ config: configWith(hook.url), logger })({ ...alert, heldByGuard: ['slack'] });
      expect(hook.alerts).toEqual([]);
      expect(lines.some((l) => String(l.msg).startsWith('ALERT sla-breached'))).toBe(true);
    } finally {
      await hook.close();
    }
  });

  it('fails retryably on 5xx and non-retryably on a 4xx from the webhook', async () => {
    const { logger } = capturingLogger();
    for (const [status, nonRetryable] of [
      [503, false],
      [404, true],
    ] as const) {
      const hook = await startAlertReceiver({ status });
      try {
        const err = await createAlertActivity({ config: configWith(hook.url), logger })(alert).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApplicationFailure);
        expect(err).toMatchObject({ type: 'ALERT_DELIVERY_FAILED', nonRetryable });
      } finally {
        await hook.close();
      }
    }
  });

  it('only logs when no webhook is configured or its env reference is unset', async () => {
    const { logger, lines } = capturingLogger();
    await createAlertActivity({ config: configWith(undefined), logger })(alert);
    await createAlertActivity({ config: configWith('env:JML_TEST_UNSET_ALERT_HOOK'), logger })(alert);
    expect(lines.filter((l) => String(l.msg).startsWith('ALERT'))).toHaveLength(2);
    expect(
      lines.filter((l) => l.msg === 'alert webhook not configured (reference not resolvable): alerts are logged only'),
    ).toHaveLength(1);
  });

  it('does not post to a referenced plain-http URL off this machine; it logs an error instead', async () => {
    const { logger, lines } = capturingLogger();
    process.env.JML_TEST_ALERT_HOOK_HTTP = 'http://alerts.example.invalid/hook?token=s3cr3t';
    try {
      await createAlertActivity({ config: configWith('env:JML_TEST_ALERT_HOOK_HTTP'), logger })(alert);
      const error = lines.find((l) => l.level === 50);
      expect(String(error?.msg)).toMatch(/^alert webhook URL must be an https: URL .*; alert logged only$/);
      expect(JSON.stringify(lines)).not.toContain('s3cr3t');
    } finally {
      delete process.env.JML_TEST_ALERT_HOOK_HTTP;
    }
  });

  it('resolves an env: reference to the webhook URL without logging the URL', async () => {
    const hook = await startAlertReceiver({ status: 200 });
    const { logger, lines } = capturingLogger();
    process.env.JML_TEST_ALERT_HOOK = hook.url;
    try {
      await createAlertActivity({ config: configWith('env:JML_TEST_ALERT_HOOK'), logger })(alert);
      expect(hook.alerts).toHaveLength(1);
      expect(JSON.stringify(lines)).not.toContain(hook.url);
    } finally {
      delete process.env.JML_TEST_ALERT_HOOK;
      await hook.close();
    }
  });
});
