/**
 * Renders an event plan for people: per app, each request with its body as readable lines —
 * `+ attr = value` for what a create sends, `~ attr = value` / `- attr` for PATCH operations.
 */
import type { AppPlan, EventPlan, PlannedRequest } from './plan';

const TRANSITION_LABEL: Record<EventPlan['transition'], string> = {
  join: 'joiner — accounts are created',
  move: 'mover — attributes and access change',
  leave: 'leaver — every account is deactivated',
  rehire: 're-hire — the same accounts are reactivated',
  none: 'no access change',
};

export function renderPlan(plan: EventPlan): string {
  const lines = [`Event ${plan.eventId}: ${TRANSITION_LABEL[plan.transition]}`];
  if (plan.apps.length === 0 && plan.errors.length === 0) lines.push('', 'Nothing would be sent to any app.');
  for (const app of plan.apps) lines.push('', ...renderApp(app));
  for (const e of plan.errors) lines.push('', `${e.app} — cannot plan: ${e.message}`);
  const total = plan.apps.reduce((n, a) => n + a.requests.length, 0);
  lines.push(
    '',
    `${total} request${total === 1 ? '' : 's'} in ${plan.apps.length} app${plan.apps.length === 1 ? '' : 's'}; nothing was sent (dry run).`,
  );
  return lines.join('\n');
}

function renderApp(app: AppPlan): string[] {
  const lines = [`${app.app} — ${app.action}`];
  if (app.requests.length === 0) lines.push('  (no request)');
  for (const r of app.requests) lines.push(...renderRequest(r));
  for (const note of app.notes) lines.push(`  note: ${note}`);
  return lines;
}

function renderRequest(r: PlannedRequest): string[] {
  const head = `  ${r.method} ${r.path}${r.when ? `   [${r.when}]` : ''}`;
  return [head, ...bodyLines(r).map((l) => `      ${l}`)];
}

function bodyLines(r: PlannedRequest): string[] {
  const body = r.body as Record<string, unknown> | undefined;
  if (!body) return [];
  if (Array.isArray(body.Operations)) {
    return (body.Operations as { op: string; path?: string; value?: unknown }[]).map((o) => {
      const sign = o.op === 'remove' ? '-' : o.op === 'add' ? '+' : '~';
      return o.op === 'remove' ? `${sign} ${o.path}` : `${sign} ${o.path ?? '(resource)'} = ${JSON.stringify(o.value)}`;
    });
  }
  const sign = r.method === 'POST' ? '+' : '=';
  return flatten(body, '')
    .filter(([k]) => k !== 'schemas')
    .map(([k, v]) => `${sign} ${k} = ${JSON.stringify(v)}`);
}

/** Nested attributes as `name.givenName`, extension URNs as `urn:…:department`, arrays whole. */
function flatten(value: Record<string, unknown>, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? (prefix.startsWith('urn:') ? `${prefix}:${key}` : `${prefix}.${key}`) : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      out.push(...flatten(v as Record<string, unknown>, name));
    else out.push([name, v]);
  }
  return out;
}
