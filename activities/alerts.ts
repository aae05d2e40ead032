/**
 * `sendAlert`: SLA breaches and failed app steps go to the webhook in `policy.yaml`
 * (`notifications.webhookUrl`, a plain URL or an `env:`/`file:` reference since such URLs
 * often embed a token), or to the log when none is configured. A non-2xx answer throws so
 * Temporal retries delivery under the ALERTING preset; after that the employee workflow records
 * the failure and retries on its own back-off. A failing audit store never stops delivery.
 */
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { alertWebhookUrlProblem, isSecretRef, resolveSecret } from '../lib/config';
import type { LoadedConfig } from '../lib/config/types';
import type { Logger } from '../lib/logger';
import { slaBreachKey } from '../lib/lifecycle/audit-keys';
import type { AuditPort } from './audit-port';
import type { AlertInput } from './contract';
import { activityCallContext } from './context';

export interface AlertDeps {
  config: () => LoadedConfig;
  logger: Logger;
  /** Records an SLA breach the moment it is alerted (not when the slow run finally ends). */
  audit?: AuditPort;
  /** @default 10_000 */
  timeoutMs?: number;
}

export function createAlertActivity(deps: AlertDeps): (input: AlertInput) => Promise<void> {
  return async (input) => {
    const configured = deps.config().policy.notifications.webhookUrl;
    deps.logger.warn({ alert: input }, `ALERT ${input.kind}: ${input.message}`);
    // Evidence of the breach now; if the store fails, the workflow's own copy (same key) follows later.
    if (input.kind === 'sla-breached') {
      await recordBreach(deps, input).catch((err: unknown) =>
        deps.logger.error({ err }, 'SLA breach not written to the audit store; alerting anyway'),
      );
    }
    // Folded: the mass-change guard's one alert for the app's hold stands for this person's breach.
    if (input.heldByGuard?.length) return;
    if (!configured) return;
    const url = await webhookUrl(configured, deps.logger);
    if (!url) return;
    const timeout = deps.timeoutMs ?? 10_000;
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...input, at: new Date(input.atMs).toISOString(), text: input.message }),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    await res.body.dump();
    if (res.statusCode >= 300) {
      throw ApplicationFailure.create({
        type: 'ALERT_DELIVERY_FAILED',
        message: `alert webhook answered HTTP ${res.statusCode}`,
        nonRetryable: res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 429,
      });
    }
  };
}

/**
 * The shipped policy points at `env:JML_ALERT_WEBHOOK_URL`; a machine without that variable has
 * no webhook, which is "logged only" rather than an alert that fails eight times.
 */
const unresolvedWarned = new Set<string>();

async function webhookUrl(configured: string, logger: Logger): Promise<string | undefined> {
  let url: string;
  try {
    url = isSecretRef(configured) ? await resolveSecret(configured) : configured;
  } catch (err) {
    // Expected on a machine without the variable: one line, once per process, no stack trace.
    if (!unresolvedWarned.has(configured)) {
      unresolvedWarned.add(configured);
      logger.warn(
        { ref: configured, reason: (err as Error).message },
        'alert webhook not configured (reference not resolvable): alerts are logged only',
      );
    }
    return undefined;
  }
  // A referenced value is only known now; a literal was already checked when the config loaded.
  const problem = alertWebhookUrlProblem(url);
  if (problem) {
    logger.error(
      { ref: isSecretRef(configured) ? configured : 'notifications.webhookUrl' },
      `alert webhook URL ${problem}; alert logged only`,
    );
    return undefined;
  }
  return url;
}

async function recordBreach(deps: AlertDeps, input: AlertInput): Promise<void> {
  if (!deps.audit) return;
  const runId = String(activityCallContext().context.runId ?? '');
  await deps.audit.recordMilestones({
    employeeId: input.employeeId,
    workflowId: input.workflowId,
    runId,
    entries: [
      {
        key: slaBreachKey(input.workflowId),
        entry: {
          atMs: input.atMs,
          kind: 'sla-breached',
          eventId: input.eventId,
          lifecycle: input.lifecycle,
          workflowId: input.workflowId,
          slaBreached: true,
          ...(input.slaDeadlineMs === undefined ? {} : { slaDeadlineMs: input.slaDeadlineMs }),
          detail: input.message,
        },
      },
    ],
  });
}
