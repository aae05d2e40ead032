/**
 * The group part of `jml scim check`, for connectors with `capabilities.groups`: a displayName
 * lookup, and where the connector may create groups, a throw-away group with the check's user
 * added and removed (`members[value eq "…"]`, RFC 7644 §3.5.2.2, the removal confirmed), then
 * deleted; and a probe of whether the app keeps group names unique (RFC 7643 does not require
 * it), with what that means for `groups.create`.
 */
import type { ConnectorConfig } from '../../config/types';
import type { ScimClient } from '../client';
import type { CheckReport } from './run';
import type { StepRecorder } from './steps';

export async function groupSteps(
  client: ScimClient,
  connector: ConnectorConfig,
  userId: string,
  tag: string,
  recorder: StepRecorder,
  report: CheckReport,
  keep: boolean,
): Promise<void> {
  if (!connector.capabilities.groups) return;
  const name = connector.groups.nameTemplate.replace(/\{\{\s*group\s*\}\}/g, `jml-check-${tag}`);
  const found = await recorder.step(
    'find group',
    () => client.findGroup(name),
    (g) => (g ? `found ${g.id}` : 'not found (expected)'),
  );
  if (!found.ok || !connector.groups.create) return;
  const ensured = await recorder.step(
    'create group',
    () => client.ensureGroup(name),
    (g) => (g ? `${g.created ? 'created' : 'found'} ${g.id}` : 'not created'),
  );
  if (!ensured.ok || !ensured.value) return;
  const groupId = ensured.value.id;
  await recorder.step('add member', () => client.addMembers(groupId, [userId]));
  await recorder.step(
    'remove member',
    () => client.removeMemberConfirmed(groupId, userId),
    (proof) => `confirmed (${proof})`,
  );
  if (keep) report.leftBehind.push(`group ${groupId} (kept: --keep)`);
  else {
    const deleted = await recorder.step(
      'delete group',
      () => client.deleteGroup(groupId),
      (r) => r.outcome,
    );
    if (!deleted.ok) report.leftBehind.push(`group ${groupId}`);
  }
  const probeName = connector.groups.nameTemplate.replace(/\{\{\s*group\s*\}\}/g, `jml-check-unique-${tag}`);
  const probe = await recorder.step(
    'unique group names',
    () => client.probeUniqueGroupNames(probeName),
    (p) =>
      p.unique ? 'enforced (a second create answered 409)' : 'NOT enforced (two groups with one name were created)',
  );
  if (!probe.ok) return;
  report.leftBehind.push(...probe.value.leftBehind);
  if (!probe.value.unique) report.deviations.push(NOT_UNIQUE);
}

/** What an app without unique group names means for `groups.create` (allowed by RFC 7643, but it changes how groups must be handled). */
const NOT_UNIQUE =
  'group displayNames are not unique in this app (RFC 7643 allows it): with groups.create the orchestrator creates each group once per worker ' +
  'process and settles concurrent creates from several workers on the oldest group, and addresses groups by id once known; ' +
  'a name that several groups already share stops the step (SCIM_GROUP_AMBIGUOUS) until they are merged or renamed — ' +
  'consider creating the groups in the app and setting groups.create: false';
