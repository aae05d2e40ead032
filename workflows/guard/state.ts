/**
 * The mass-change guard's state and decisions, as pure functions (unit-tested directly). The
 * workflow (./workflow.ts) only feeds them signals and the clock and carries out what they return.
 *
 * Counting: every granted permit and every reported change is one entry for its app at the time it
 * was granted or reported. An app's count is its entries inside its window; the total is every
 * app's entries inside the top-level window. A request is held when one more change would pass a
 * limit, or when its app already has requests held (they are one episode: one alert, one approval).
 */
import type { GuardPolicy, GuardThresholds } from '../../lib/config/types';
import type {
  ApproveAppResult,
  GuardAppStatus,
  GuardChange,
  GuardStatus,
  PermitAnswer,
  PermitRequest,
} from '../../lib/temporal/contract';

export interface GuardSettingsState {
  policy: GuardPolicy;
  apps: string[];
  accounts: Record<string, number>;
  /** Apps whose count was not read at the last refresh: why, and what applies instead. */
  accountNotes?: Record<string, string>;
}

export interface HeldEpisode {
  sinceMs: number;
  reason: string;
  requests: (PermitRequest & { sinceMs: number })[];
}

export interface GuardState {
  /** Times of counted changes per app (pruned beyond the longest window). */
  entries: Record<string, number[]>;
  held: Record<string, HeldEpisode>;
  /** Request ids granted lately: a request sent again is answered again and not counted twice. */
  granted: string[];
  lastApproval: Record<string, { atMs: number; by?: string; released: number }>;
  /** Apps (and `*` for all apps) whose count has passed the limit and were alerted about, until back under. */
  overLimit: string[];
}

export interface Outcome {
  state: GuardState;
  answers: { to: string; answer: PermitAnswer }[];
  alerts: { app: string; kind: 'mass-change-held' | 'mass-change-threshold'; message: string }[];
}

const GRANTED_REMEMBERED = 5_000;

export function initialGuardState(): GuardState {
  return { entries: {}, held: {}, granted: [], lastApproval: {}, overLimit: [] };
}

function windowOf(settings: GuardSettingsState, app: string): number {
  return settings.policy.apps[app]?.windowMs ?? settings.policy.windowMs;
}

function countSince(times: number[] | undefined, sinceMs: number): number {
  return (times ?? []).filter((t) => t > sinceMs).length;
}

/** The lowest of the limits that apply; a percent limit only for a known account count (never under 1). */
function limitOf(t: GuardThresholds, accounts: number | undefined): number | undefined {
  const limits: number[] = [];
  if (t.maxCount !== undefined) limits.push(t.maxCount);
  if (t.maxPercent !== undefined && accounts !== undefined && accounts > 0)
    limits.push(Math.max(1, Math.floor((t.maxPercent * accounts) / 100)));
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

export function appLimit(settings: GuardSettingsState, app: string): number | undefined {
  const { policy } = settings;
  const own = policy.apps[app] ?? {};
  return limitOf(
    { maxCount: own.maxCount ?? policy.maxCount, maxPercent: own.maxPercent ?? policy.maxPercent },
    settings.accounts[app],
  );
}

export function totalLimit(settings: GuardSettingsState): number | undefined {
  const known = Object.values(settings.accounts);
  const total = known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined;
  return limitOf(settings.policy.allApps, total);
}

export function appCount(s: GuardState, settings: GuardSettingsState, app: string, nowMs: number): number {
  return countSince(s.entries[app], nowMs - windowOf(settings, app));
}

export function totalCount(s: GuardState, settings: GuardSettingsState, nowMs: number): number {
  const since = nowMs - settings.policy.windowMs;
  return Object.values(s.entries).reduce((n, times) => n + countSince(times, since), 0);
}

function window(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/** What would be passed by one more change of `app`, or undefined. */
function wouldPass(s: GuardState, settings: GuardSettingsState, app: string, nowMs: number): string | undefined {
  const limit = appLimit(settings, app);
  const count = appCount(s, settings, app, nowMs);
  if (limit !== undefined && count + 1 > limit)
    return `${count} deactivations/deletions in ${app} in the last ${window(windowOf(settings, app))} (limit ${limit})`;
  const total = totalLimit(settings);
  const all = totalCount(s, settings, nowMs);
  if (total !== undefined && all + 1 > total)
    return `${all} deactivations/deletions across all apps in the last ${window(settings.policy.windowMs)} (limit ${total})`;
  return undefined;
}

function record(s: GuardState, app: string, nowMs: number, n = 1): GuardState {
  return { ...s, entries: { ...s.entries, [app]: [...(s.entries[app] ?? []), ...Array<number>(n).fill(nowMs)] } };
}

function remember(granted: string[], id: string): string[] {
  const next = [...granted, id];
  return next.length > GRANTED_REMEMBERED ? next.slice(next.length - GRANTED_REMEMBERED) : next;
}

/** A permit request: granted now, or held (a new hold episode is alerted once). */
export function requestPermit(s: GuardState, settings: GuardSettingsState, req: PermitRequest, nowMs: number): Outcome {
  const to = req.requesterWorkflowId;
  const base = { requestId: req.requestId, app: req.app, atMs: nowMs };
  if (s.granted.includes(req.requestId))
    return { state: s, answers: [{ to, answer: { ...base, decision: 'granted' } }], alerts: [] };
  const episode = s.held[req.app];
  if (episode) {
    const known = episode.requests.some((r) => r.requestId === req.requestId);
    const requests = known ? episode.requests : [...episode.requests, { ...req, sinceMs: nowMs }];
    return {
      state: { ...s, held: { ...s.held, [req.app]: { ...episode, requests } } },
      answers: [{ to, answer: { ...base, decision: 'held', reason: heldReason(req.app, episode.reason) } }],
      alerts: [],
    };
  }
  const over = wouldPass(s, settings, req.app, nowMs);
  if (!over) {
    const state = { ...record(s, req.app, nowMs), granted: remember(s.granted, req.requestId) };
    return { state, answers: [{ to, answer: { ...base, decision: 'granted' } }], alerts: [] };
  }
  const held: HeldEpisode = { sinceMs: nowMs, reason: over, requests: [{ ...req, sinceMs: nowMs }] };
  return {
    state: { ...s, held: { ...s.held, [req.app]: held } },
    answers: [{ to, answer: { ...base, decision: 'held', reason: heldReason(req.app, over) } }],
    alerts: [
      {
        app: req.app,
        kind: 'mass-change-held',
        message:
          `mass-change guard: ${req.app} is holding deactivations and deletions (${over}); ` +
          `first held: ${req.action} of ${req.employeeId} (${req.cause}${req.rosterId ? `, roster ${req.rosterId}` : ''}). ` +
          `Check the source (HR feed, roster), then run \`jml app approve ${req.app}\` to let them proceed. ` +
          `Roster-inferred terminations held past their SLA are not alerted one by one: this alert covers them`,
      },
    ],
  };
}

function heldReason(app: string, over: string): string {
  return `held by the mass-change guard: ${over}; run \`jml app approve ${app}\` to let it proceed`;
}

/** After-the-fact changes (HR terminations): counted; passing a limit is alerted once until back under. */
export function reportChanges(
  s: GuardState,
  settings: GuardSettingsState,
  changes: GuardChange[],
  nowMs: number,
): Outcome {
  let state = s;
  for (const c of changes) state = record(state, c.app, nowMs);
  const alerts: Outcome['alerts'] = [];
  const overLimit = new Set(state.overLimit);
  for (const app of [...new Set(changes.map((c) => c.app))]) {
    const limit = appLimit(settings, app);
    const count = appCount(state, settings, app, nowMs);
    if (limit === undefined || count <= limit || overLimit.has(app)) continue;
    overLimit.add(app);
    alerts.push({
      app,
      kind: 'mass-change-threshold',
      message:
        `mass-change guard: ${count} deactivations/deletions in ${app} in the last ${window(windowOf(settings, app))} ` +
        `(limit ${limit}), including HR terminations (never held); deletions and roster-inferred terminations of ${app} now wait for \`jml app approve ${app}\``,
    });
  }
  return { state: { ...state, overLimit: [...overLimit] }, answers: [], alerts };
}

/** Forgets limits alerts once back under, and entries older than any window. */
export function prune(s: GuardState, settings: GuardSettingsState, nowMs: number): GuardState {
  const longest = Math.max(
    settings.policy.windowMs,
    ...Object.values(settings.policy.apps).map((a) => a.windowMs ?? 0),
  );
  const entries: Record<string, number[]> = {};
  for (const [app, times] of Object.entries(s.entries)) {
    const kept = times.filter((t) => t > nowMs - longest);
    if (kept.length > 0) entries[app] = kept;
  }
  const next = { ...s, entries };
  const overLimit = s.overLimit.filter((app) => {
    const limit = appLimit(settings, app);
    return limit !== undefined && appCount(next, settings, app, nowMs) > limit;
  });
  return { ...next, overLimit };
}

export function withdraw(s: GuardState, requestId: string): GuardState {
  const held: Record<string, HeldEpisode> = {};
  for (const [app, episode] of Object.entries(s.held)) {
    const requests = episode.requests.filter((r) => r.requestId !== requestId);
    if (requests.length > 0) held[app] = { ...episode, requests };
  }
  return { ...s, held };
}

/** Why an approval is refused, or undefined. */
export function checkApprove(s: GuardState, app: string): string | undefined {
  if (!app?.trim()) return 'name the app to approve';
  if (s.held[app]) return undefined;
  const holding = Object.keys(s.held);
  return `nothing is held for ${app}${holding.length > 0 ? ` (held: ${holding.join(', ')})` : ''}`;
}

/**
 * Releases every request held for the app and starts its window afresh: the approved burst no
 * longer counts against the app (or the total), so what follows is judged on its own.
 */
export function approve(
  s: GuardState,
  app: string,
  nowMs: number,
  by?: string,
): { state: GuardState; answers: Outcome['answers']; result: ApproveAppResult } {
  const episode = s.held[app]!;
  const held = { ...s.held };
  delete held[app];
  const entries = { ...s.entries };
  delete entries[app];
  let granted = s.granted;
  for (const r of episode.requests) granted = remember(granted, r.requestId);
  const answers = episode.requests.map((r) => ({
    to: r.requesterWorkflowId,
    answer: {
      requestId: r.requestId,
      app,
      decision: 'granted' as const,
      atMs: nowMs,
      ...(by ? { approvedBy: by } : {}),
    },
  }));
  const released = episode.requests.length;
  return {
    state: {
      ...s,
      held,
      entries,
      granted,
      overLimit: s.overLimit.filter((a) => a !== app),
      lastApproval: { ...s.lastApproval, [app]: { atMs: nowMs, released, ...(by ? { by } : {}) } },
    },
    answers,
    result: {
      app,
      released,
      heldSinceMs: episode.sinceMs,
      approvedAtMs: nowMs,
      ...(by ? { approvedBy: by } : {}),
    },
  };
}

export function describeGuard(
  s: GuardState,
  settings: GuardSettingsState,
  nowMs: number,
  settingsError?: string,
): GuardStatus {
  const apps = [...new Set([...settings.apps, ...Object.keys(s.entries), ...Object.keys(s.held)])].sort();
  return {
    windowMs: settings.policy.windowMs,
    allApps: { count: totalCount(s, settings, nowMs), limit: totalLimit(settings) },
    holdHrTerminations: settings.policy.holdHrTerminations,
    apps: apps.map((app): GuardAppStatus => {
      const episode = s.held[app];
      return {
        app,
        windowMs: windowOf(settings, app),
        count: appCount(s, settings, app, nowMs),
        limit: appLimit(settings, app),
        accounts: settings.accounts[app],
        ...(settings.accountNotes?.[app] ? { accountsNote: settings.accountNotes[app] } : {}),
        held: (episode?.requests ?? []).map((r) => ({
          requestId: r.requestId,
          employeeId: r.employeeId,
          eventId: r.eventId,
          action: r.action,
          cause: r.cause,
          sinceMs: r.sinceMs,
        })),
        ...(episode ? { heldSinceMs: episode.sinceMs, heldReason: episode.reason } : {}),
        ...(s.lastApproval[app] ? { lastApproval: s.lastApproval[app] } : {}),
      };
    }),
    ...(settingsError ? { settingsError } : {}),
  };
}
