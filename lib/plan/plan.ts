/**
 * `jml plan`: what an HR event would do, per app, as the SCIM requests the activities would
 * send — computed from the config alone, sending nothing. `{id}` stands for the account's SCIM
 * id (known to the workflow, or found by the lookup shown first).
 */
import { diffAccess, evaluateAccess, type AccessPlan } from '../access';
import { formatDuration } from '../config/duration';
import type { ConnectorConfig, LoadedConfig } from '../config/types';
import type { EmployeeRecord } from '../hr/employee';
import type { HrEvent } from '../hr/event';
import { classifyTransition, snapshotOf, type Transition } from '../lifecycle/classify';
import { buildScimUser, diffHrSnapshots, patchRequest, type ScimPatchOperation } from '../mapping';

export interface PlannedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** When it is sent, if not right away: `after 24h (mover grace)`, `after 30d retention`. */
  when?: string;
}

export interface AppPlan {
  app: string;
  action: 'provision' | 'update' | 'revoke' | 'reactivate' | 'unchanged';
  requests: PlannedRequest[];
  notes: string[];
}

export interface EventPlan {
  eventId: string;
  transition: Transition;
  /** Empty when the transition is `none`. */
  apps: AppPlan[];
  /** Problems computing a request (a required mapping without a value). */
  errors: { app: string; message: string }[];
}

/**
 * @param previous the person's last applied snapshot; without it the event is planned as if
 *   the person were unknown (a hire) or, for a termination, active with the same record.
 */
export function planEvent(config: LoadedConfig, event: HrEvent, previous?: EmployeeRecord): EventPlan {
  const next = snapshotOf(event);
  const before = previous ?? (next.status === 'terminated' ? { ...next, status: 'active' as const } : undefined);
  const transition = classifyTransition(before, next, previous !== undefined);
  const plan: EventPlan = { eventId: event.eventId, transition, apps: [], errors: [] };
  const access = (e: EmployeeRecord | undefined): AccessPlan => (e ? evaluateAccess(config.policy, config.connectors, e) : { apps: {}, unresolvedGroups: [] });
  const was = access(before);
  const now = access(next);
  const diff = diffAccess(was, now);
  for (const app of [...new Set([...Object.keys(was.apps), ...Object.keys(now.apps)])].sort()) {
    const connector = config.connectors[app]!;
    try {
      const entry = planApp(config, connector, transition, { before, next, diff, granted: app in now.apps, had: app in was.apps, groups: now.apps[app]?.groups ?? [] });
      if (entry) plan.apps.push(entry);
    } catch (err) {
      plan.errors.push({ app, message: (err as Error).message });
    }
  }
  return plan;
}

interface AppFacts {
  before?: EmployeeRecord;
  next: EmployeeRecord;
  diff: ReturnType<typeof diffAccess>;
  granted: boolean;
  had: boolean;
  groups: string[];
}

function planApp(config: LoadedConfig, c: ConnectorConfig, transition: Transition, f: AppFacts): AppPlan | undefined {
  const lookup: PlannedRequest = { method: 'GET', path: `/Users?filter=${encodeURIComponent(`externalId eq ${JSON.stringify(f.next.employeeId)}`)}` };
  switch (transition) {
    case 'join':
      return { app: c.id, action: 'provision', requests: [lookup, { method: 'POST', path: '/Users', body: buildScimUser(c, f.next, 'create') }, ...groupRequests(c, f.groups, [])], notes: [] };
    case 'rehire':
      return { app: c.id, action: 'reactivate', requests: [setActive(c, f.next, true), ...groupRequests(c, f.groups, [])], notes: ['the same account is reactivated; a deletion still pending is cancelled'] };
    case 'leave':
      return { app: c.id, action: 'revoke', requests: [setActive(c, f.next, false), ...deletion(config, c)], notes: deleteNotes(c) };
    case 'move':
      return planMove(config, c, f, lookup);
    case 'none':
      return undefined;
  }
}

function planMove(config: LoadedConfig, c: ConnectorConfig, f: AppFacts, lookup: PlannedRequest): AppPlan {
  if (f.granted && !f.had) {
    return { app: c.id, action: 'provision', requests: [lookup, { method: 'POST', path: '/Users', body: buildScimUser(c, f.next, 'create') }, ...groupRequests(c, f.groups, [])], notes: [] };
  }
  if (!f.granted) {
    const grace = config.policy.mover.revokeGraceMs;
    const when = grace > 0 ? `after ${formatDuration(grace)} (policy mover.revokeGrace)` : undefined;
    return { app: c.id, action: 'revoke', requests: [{ ...setActive(c, f.next, false), ...(when ? { when } : {}) }], notes: ['no longer granted by the access rules'] };
  }
  const ops = diffHrSnapshots(c, f.before!, f.next);
  const changes = f.diff.groups[c.id] ?? { add: [], remove: [] };
  const requests = [...(ops.length > 0 ? [update(c, f.next, ops)] : []), ...groupRequests(c, changes.add, changes.remove)];
  return { app: c.id, action: requests.length > 0 ? 'update' : 'unchanged', requests, notes: [] };
}

/** RFC 7644 §3.5.2 PATCH where the app has it, else a full PUT (§3.5.1) of the merged resource. */
function update(c: ConnectorConfig, next: EmployeeRecord, ops: ScimPatchOperation[]): PlannedRequest {
  if (c.capabilities.patch) return { method: 'PATCH', path: '/Users/{id}', body: patchRequest(ops) };
  return { method: 'PUT', path: '/Users/{id}', body: buildScimUser(c, next, 'update') };
}

function setActive(c: ConnectorConfig, next: EmployeeRecord, active: boolean): PlannedRequest {
  if (c.capabilities.patch) return { method: 'PATCH', path: '/Users/{id}', body: patchRequest([{ op: 'replace', path: 'active', value: active }]) };
  return { method: 'PUT', path: '/Users/{id}', body: { ...buildScimUser(c, { ...next, status: 'active' }, 'update'), active } };
}

function groupRequests(c: ConnectorConfig, add: string[], remove: string[]): PlannedRequest[] {
  if (!c.capabilities.groups || !c.groups.manage) return [];
  const member = (op: 'add' | 'remove'): ScimPatchOperation =>
    op === 'add' ? { op, path: 'members', value: [{ value: '{id}' }] } : { op, path: 'members[value eq "{id}"]' };
  return [
    ...add.map((g): PlannedRequest => ({ method: 'PATCH', path: `/Groups/{id of ${JSON.stringify(g)}}`, body: patchRequest([member('add')]) })),
    ...remove.map((g): PlannedRequest => ({ method: 'PATCH', path: `/Groups/{id of ${JSON.stringify(g)}}`, body: patchRequest([member('remove')]) })),
  ];
}

function deletion(config: LoadedConfig, c: ConnectorConfig): PlannedRequest[] {
  if (c.delete.mode !== 'hard') return [];
  const retention = config.policy.retention.perAppMs[c.id] ?? config.policy.retention.defaultMs;
  return [{ method: 'DELETE', path: '/Users/{id}', when: `after ${formatDuration(retention)} retention, unless re-hired or under legal hold` }];
}

function deleteNotes(c: ConnectorConfig): string[] {
  if (c.delete.mode === 'hard') return [c.delete.reversible ? 'DELETE is reversible in this app' : 'DELETE is irreversible in this app'];
  return [`delete is "${c.delete.mode}": the account stays deactivated`];
}
