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
  const access = (e: EmployeeRecord | undefined): AccessPlan =>
    e ? evaluateAccess(config.policy, config.connectors, e) : { apps: {}, unresolvedGroups: [] };
  const was = access(before);
  const now = access(next);
  const diff = diffAccess(was, now);
  for (const app of [...new Set([...Object.keys(was.apps), ...Object.keys(now.apps)])].sort()) {
    const connector = config.connectors[app]!;
    try {
      const facts = {
        before,
        next,
        diff,
        granted: app in now.apps,
        had: app in was.apps,
        groups: now.apps[app]?.groups ?? [],
        heldGroups: was.apps[app]?.groups ?? [],
      };
      const entry = planApp(config, connector, transition, facts);
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
  /** Groups the person held in the app before the event (a leaver's, removed at deactivation). */
  heldGroups: string[];
}

/**
 * The one lookup before a create: by the first attribute of the connector's `match` (`externalId`,
 * which the orchestrator sets); the client asks by `userName` too only after a 409.
 */
function lookupRequest(c: ConnectorConfig, next: EmployeeRecord): PlannedRequest {
  const byUserName = c.match[0] === 'userName';
  const value = byUserName ? String(buildScimUser(c, next, 'create').userName ?? '') : next.employeeId;
  const filter = `${byUserName ? 'userName' : 'externalId'} eq ${JSON.stringify(value)}`;
  return { method: 'GET', path: `/Users?filter=${encodeURIComponent(filter)}` };
}

const LOOKUP_NOTE =
  "a 409 on the create means the account exists: it is looked up by externalId and userName and adopted only if it is this person's";

function planApp(config: LoadedConfig, c: ConnectorConfig, transition: Transition, f: AppFacts): AppPlan | undefined {
  const lookup = lookupRequest(c, f.next);
  switch (transition) {
    case 'join':
      return {
        app: c.id,
        action: 'provision',
        requests: [
          lookup,
          { method: 'POST', path: '/Users', body: buildScimUser(c, f.next, 'create') },
          ...groupRequests(c, f.groups, []),
        ],
        notes: [LOOKUP_NOTE],
      };
    case 'rehire':
      return {
        app: c.id,
        action: 'reactivate',
        requests: [setActive(c, f.next, true), ...groupRequests(c, f.groups, [], true)],
        notes: [
          'the same account is reactivated; a deletion still pending is cancelled',
          ...(managed(c) && f.groups.length ? ['groups are added only where the person is not already a member'] : []),
        ],
      };
    case 'leave':
      return {
        app: c.id,
        action: 'revoke',
        requests: [
          setActive(c, f.next, false),
          ...leaverGroupRemovals(config, c, f.heldGroups),
          ...deletion(config, c),
        ],
        notes: deleteNotes(c),
      };
    case 'move':
      return planMove(config, c, f, lookup);
    case 'none':
      return undefined;
  }
}

function planMove(config: LoadedConfig, c: ConnectorConfig, f: AppFacts, lookup: PlannedRequest): AppPlan {
  if (f.granted && !f.had) {
    return {
      app: c.id,
      action: 'provision',
      requests: [
        lookup,
        { method: 'POST', path: '/Users', body: buildScimUser(c, f.next, 'create') },
        ...groupRequests(c, f.groups, []),
      ],
      notes: [LOOKUP_NOTE],
    };
  }
  if (!f.granted) {
    const grace = config.policy.mover.revokeGraceMs;
    const when = grace > 0 ? `after ${formatDuration(grace)} (policy mover.revokeGrace)` : undefined;
    const removals = leaverGroupRemovals(config, c, f.heldGroups).map((r) =>
      when ? { ...r, when: `${when}, after the deactivation` } : r,
    );
    return {
      app: c.id,
      action: 'revoke',
      requests: [{ ...setActive(c, f.next, false), ...(when ? { when } : {}) }, ...removals],
      notes: ['no longer granted by the access rules'],
    };
  }
  const ops = diffHrSnapshots(c, f.before!, f.next);
  const changes = f.diff.groups[c.id] ?? { add: [], remove: [] };
  const requests = [
    ...(ops.length > 0 ? [update(c, f.next, ops)] : []),
    ...groupRequests(c, changes.add, changes.remove, true),
  ];
  return {
    app: c.id,
    action: requests.length > 0 ? 'update' : 'unchanged',
    requests,
    notes: changes.remove.length && managed(c) ? [REMOVAL_NOTE] : [],
  };
}

/** RFC 7644 §3.5.2 PATCH where the app has it, else a full PUT (§3.5.1) of the merged resource. */
function update(c: ConnectorConfig, next: EmployeeRecord, ops: ScimPatchOperation[]): PlannedRequest {
  if (c.capabilities.patch) return { method: 'PATCH', path: '/Users/{id}', body: patchRequest(ops) };
  return { method: 'PUT', path: '/Users/{id}', body: buildScimUser(c, next, 'update') };
}

function setActive(c: ConnectorConfig, next: EmployeeRecord, active: boolean): PlannedRequest {
  if (c.capabilities.patch)
    return {
      method: 'PATCH',
      path: '/Users/{id}',
      body: patchRequest([{ op: 'replace', path: 'active', value: active }]),
    };
  return {
    method: 'PUT',
    path: '/Users/{id}',
    body: { ...buildScimUser(c, { ...next, status: 'active' }, 'update'), active },
  };
}

const managed = (c: ConnectorConfig) => c.capabilities.groups && c.groups.manage;

const REMOVAL_NOTE = "each group removal counts only once the app's answer or a read-back of the group shows it";

/**
 * Group changes, addressed by the group's SCIM id (remembered once resolved; found by name the
 * first time). `existing`: the account existed before, so each add first reads the members.
 */
function groupRequests(c: ConnectorConfig, add: string[], remove: string[], existing = false): PlannedRequest[] {
  if (!managed(c)) return [];
  const member = (op: 'add' | 'remove'): ScimPatchOperation =>
    op === 'add' ? { op, path: 'members', value: [{ value: '{id}' }] } : { op, path: 'members[value eq "{id}"]' };
  const path = (g: string) => `/Groups/{id of ${JSON.stringify(g)}}`;
  return [
    ...add.flatMap((g): PlannedRequest[] => [
      ...(existing ? [{ method: 'GET' as const, path: `${path(g)}?attributes=members` }] : []),
      {
        method: 'PATCH',
        path: path(g),
        body: patchRequest([member('add')]),
        ...(existing ? { when: 'only if not already a member' } : {}),
      },
    ]),
    ...remove.map((g): PlannedRequest => ({ method: 'PATCH', path: path(g), body: patchRequest([member('remove')]) })),
  ];
}

/** A leaver's managed memberships, removed after the deactivation (policy leaver.removeGroupMemberships). */
function leaverGroupRemovals(config: LoadedConfig, c: ConnectorConfig, held: string[]): PlannedRequest[] {
  if (config.policy.leaver?.removeGroupMemberships === false) return [];
  return groupRequests(c, [], held).map((r) => ({
    ...r,
    when: 'after the deactivation, confirmed (policy leaver.removeGroupMemberships)',
  }));
}

function deletion(config: LoadedConfig, c: ConnectorConfig): PlannedRequest[] {
  if (c.delete.mode !== 'hard') return [];
  const retention = config.policy.retention.perAppMs[c.id] ?? config.policy.retention.defaultMs;
  return [
    {
      method: 'DELETE',
      path: '/Users/{id}',
      when: `after ${formatDuration(retention)} retention, unless re-hired or under legal hold`,
    },
  ];
}

function deleteNotes(c: ConnectorConfig): string[] {
  if (c.delete.mode === 'hard')
    return [c.delete.reversible ? 'DELETE is reversible in this app' : 'DELETE is irreversible in this app'];
  return [`delete is "${c.delete.mode}": the account stays deactivated`];
}
