/**
 * `jml app <verb> …`: per-app safeguards. Each verb lives in its own function; `VERBS` maps the
 * name to it. status/pause/resume read and drive the `app-<name>` workflow (pause and quarantine,
 * docs/reconciliation.md "Safeguards"): pause and resume are Temporal Updates, so the workflow
 * either refuses with the reason (exit 1, nothing changed) or answers with what it did.
 */
import { userInfo } from 'node:os';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseCommandArgs, UsageError } from '../args';
import { connectClient, temporalSettingsFromEnv } from '../../lib/temporal/connection';
import { withAnswerDeadline } from '../temporal-answer';
import { AppActionRejectedError, appHealth, listAppHealth, pauseApp, resumeApp } from '../../lib/temporal/app-client';
import type { AppHealth, GuardStatus } from '../../lib/temporal/contract';
import { ApproveRejectedError, approveApp, massChangeGuardStatus } from '../../lib/temporal/guard-client';

export const summary =
  'Show and control apps: status, pause, resume (quarantined apps resume on their own), approve (mass-change guard)';

const HELP = `Usage:
  jml app status [app] [--json]
  jml app pause  <app> --reason TEXT [--by WHO] [--json]
  jml app resume <app> [--reason TEXT] [--by WHO] [--json]
  jml app approve <app> [--by WHO] [--json]

status   each app's state: active, paused (by whom, why, since) or quarantined (why, since,
         the next probe). A quarantined app is probed periodically and resumes on its own.
pause    holds joiner/mover writes and deletions for the app until resumed; a leaver's
         deactivation is never held. Refused while already paused.
resume   resumes a paused app, or ends a quarantine by hand. Refused when the app is active.
approve  lets the deactivations and deletions the mass-change guard holds for the app proceed,
         and starts the app's window afresh. Refused when nothing is held for it.
         status also shows the guard: changes counted in the window, the limit, what is held.
Exit codes: 0 done, 1 refused (the reason is printed; nothing changed) or no such app,
2 bad usage. --by defaults to the OS user name. Temporal from TEMPORAL_ADDRESS /
TEMPORAL_NAMESPACE (and TEMPORAL_API_KEY / TLS settings, as for the worker).`;

interface Options {
  reason?: string;
  by?: string;
  json: boolean;
}

type Verb = (client: Client, app: string | undefined, options: Options) => Promise<number>;

const VERBS: Record<string, Verb> = { status: appStatus, pause: appPause, resume: appResume, approve: appApprove };

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    reason: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help || positionals.length === 0) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const [verb, app, ...extra] = positionals;
  const handler = VERBS[verb!];
  if (!handler) throw new UsageError(`unknown action "${verb}" (${Object.keys(VERBS).join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const settings = temporalSettingsFromEnv();
  const { client, connection } = await connectClient(settings);
  try {
    return await withAnswerDeadline(client, `jml app ${verb}`, (c) =>
      handler(c, app, { reason: values.reason, by: values.by, json: values.json }),
    );
  } finally {
    await connection.close();
  }
}

async function appStatus(client: Client, app: string | undefined, options: Options): Promise<number> {
  const apps = app
    ? [await appHealth(client, app)].filter((h): h is AppHealth => h !== undefined)
    : await listAppHealth(client);
  if (app && apps.length === 0) {
    console.error(`no health workflow for app "${app}" (app-${app}): is it a connector, and has a worker started?`);
    return 1;
  }
  const guard = await guardStatusOrUndefined(client);
  if (options.json) {
    const guardPart = guard ? { massChangeGuard: app ? guard.apps.find((a) => a.app === app) : guard } : {};
    console.log(JSON.stringify(app ? { ...apps[0], ...guardPart } : { apps, ...guardPart }, null, 2));
  } else {
    console.log(apps.length === 0 ? 'no app health workflows (start a worker)' : renderAppHealth(apps));
    console.log('');
    console.log(guard ? renderGuardStatus(guard, app) : 'mass-change guard: not running (start a worker)');
  }
  return 0;
}

// ------------------------------------------------------------ mass-change guard (approve, and its part of status)

async function guardStatusOrUndefined(client: Client): Promise<GuardStatus | undefined> {
  try {
    return await massChangeGuardStatus(client);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

async function appApprove(client: Client, app: string | undefined, options: Options): Promise<number> {
  if (!app) throw new UsageError('expected an app: jml app approve <app> [--by WHO]');
  const by = options.by ?? userInfo().username;
  try {
    const result = await approveApp(client, app, by);
    console.log(
      options.json
        ? JSON.stringify(result, null, 2)
        : `${app}: approved by ${by}: ${result.released} held deactivation(s)/deletion(s) proceed now (held since ${new Date(result.heldSinceMs).toISOString()}); the app's window starts afresh`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ApproveRejectedError) {
      console.error(`jml app approve ${app}: refused: ${err.reason}`);
      return 1;
    }
    if (err instanceof WorkflowNotFoundError) {
      console.error('no mass-change guard running (workflow mass-change-guard): has a worker started?');
      return 1;
    }
    throw err;
  }
}

/** The guard's window per app (or one app), and each held request. */
export function renderGuardStatus(g: GuardStatus, app?: string, nowMs = Date.now()): string {
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const span = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);
  const apps = g.apps.filter((a) => !app || a.app === app);
  const total = `all apps: ${g.allApps.count}${g.allApps.limit !== undefined ? ` of ${g.allApps.limit}` : ''}`;
  const lines = [
    `mass-change guard (window ${span(g.windowMs)}; ${total}; HR terminations ${g.holdHrTerminations ? 'held too' : 'never held'}):`,
  ];
  const width = Math.max(3, ...apps.map((a) => a.app.length));
  lines.push(`${'APP'.padEnd(width)}  IN WINDOW  LIMIT  ACCOUNTS  HELD`);
  for (const a of apps) {
    const held =
      a.held.length > 0 ? `${a.held.length} since ${iso(a.heldSinceMs ?? nowMs)}: ${a.heldReason ?? ''}` : '-';
    lines.push(
      `${a.app.padEnd(width)}  ${String(a.count).padEnd(9)}  ${String(a.limit ?? '-').padEnd(5)}  ${String(a.accounts ?? '?').padEnd(8)}  ${held}`,
    );
  }
  for (const a of apps.filter((x) => x.held.length > 0)) {
    lines.push('', `held for ${a.app} (approve with: jml app approve ${a.app}):`);
    for (const h of a.held)
      lines.push(`  ${h.employeeId}  ${h.action}  ${h.cause}  event ${h.eventId}  since ${iso(h.sinceMs)}`);
  }
  const notes = apps.filter((a) => a.accountsNote);
  if (notes.length > 0) lines.push('', ...notes.map((a) => `${a.app}: ${a.accountsNote}`));
  if (g.settingsError) lines.push('', `policy not readable (${g.settingsError}): the last known limits apply`);
  return lines.join('\n');
}

async function appPause(client: Client, app: string | undefined, options: Options): Promise<number> {
  if (!app) throw new UsageError('expected an app: jml app pause <app> --reason TEXT');
  if (!options.reason?.trim()) throw new UsageError('--reason is required to pause an app (people read it in status)');
  return change(app, options, 'pause', () =>
    pauseApp(client, app, { by: options.by ?? userInfo().username, reason: options.reason! }),
  );
}

async function appResume(client: Client, app: string | undefined, options: Options): Promise<number> {
  if (!app) throw new UsageError('expected an app: jml app resume <app>');
  return change(app, options, 'resume', () =>
    resumeApp(client, app, {
      by: options.by ?? userInfo().username,
      ...(options.reason ? { reason: options.reason } : {}),
    }),
  );
}

async function change(
  app: string,
  options: Options,
  verb: string,
  send: () => ReturnType<typeof pauseApp>,
): Promise<number> {
  try {
    const result = await send();
    console.log(
      options.json
        ? JSON.stringify(result, null, 2)
        : `${app}: ${result.from} → ${result.to} at ${new Date(result.atMs).toISOString()}${
            result.to === 'paused'
              ? ' (joiner/mover writes and deletions wait; leavers are still deactivated)'
              : ' (held writes run again at their next retry)'
          }`,
    );
    return 0;
  } catch (err) {
    if (err instanceof AppActionRejectedError) {
      console.error(`jml app ${verb} ${app}: refused: ${err.reason}`);
      return 1;
    }
    if (err instanceof WorkflowNotFoundError) {
      console.error(`no health workflow for app "${app}" (app-${app}): is it a connector, and has a worker started?`);
      return 1;
    }
    throw err;
  }
}

/** One line per app, then what holds it. */
export function renderAppHealth(apps: AppHealth[], nowMs = Date.now()): string {
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const ago = (ms: number) => {
    const m = Math.round((nowMs - ms) / 60_000);
    return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
  };
  const width = Math.max(3, ...apps.map((a) => a.app.length));
  const lines = [`${'APP'.padEnd(width)}  STATE        DETAIL`];
  for (const a of apps) {
    let detail = '-';
    if (a.state === 'paused' && a.paused) {
      detail = `by ${a.paused.by} since ${iso(a.paused.sinceMs)} (${ago(a.paused.sinceMs)}): ${a.paused.reason}`;
    } else if (a.state === 'quarantined' && a.quarantine) {
      const q = a.quarantine;
      const probe = q.nextProbeAtMs ? `; next probe ${iso(q.nextProbeAtMs)}` : '';
      const last = q.lastProbe && !q.lastProbe.ok ? `; last probe failed: ${q.lastProbe.error ?? '?'}` : '';
      detail = `since ${iso(q.sinceMs)} (${ago(q.sinceMs)}): ${q.reason}${probe}${last}`;
    }
    lines.push(`${a.app.padEnd(width)}  ${a.state.padEnd(11)}  ${detail}`);
  }
  const held = apps.filter((a) => a.state !== 'active');
  if (held.length > 0)
    lines.push(
      '',
      'Paused and quarantined apps hold joiner/mover writes and deletions; leavers are still deactivated.',
    );
  return lines.join('\n');
}
