/**
 * The group part of `jml scim check`, for connectors with `capabilities.groups`: a displayName
 * lookup, and where the connector may create groups, a throw-away group with the check's user
 * added and removed (`members[value eq "…"]`, RFC 7644 §3.5.2.2), then deleted.
 */
import type { ConnectorConfig } from '../../config/types';
import type { ScimClient } from '../client';
import type { CheckReport } from './run';
import type { StepRecorder } from './steps';

export async function groupSteps(client: ScimClient, connector: ConnectorConfig, userId: string, tag: string, recorder: StepRecorder, report: CheckReport, keep: boolean): Promise<void> {
  if (!connector.capabilities.groups) return;
  const name = connector.groups.nameTemplate.replace(/\{\{\s*group\s*\}\}/g, `jml-check-${tag}`);
  const found = await recorder.step('find group', () => client.findGroup(name), (g) => (g ? `found ${g.id}` : 'not found (expected)'));
  if (!found.ok || !connector.groups.create) return;
  const ensured = await recorder.step('create group', () => client.ensureGroup(name), (g) => (g ? `${g.created ? 'created' : 'found'} ${g.id}` : 'not created'));
  if (!ensured.ok || !ensured.value) return;
  const groupId = ensured.value.id;
  await recorder.step('add member', () => client.addMembers(groupId, [userId]));
  await recorder.step('remove member', () => client.removeMembers(groupId, [userId]));
  if (keep) {
    report.leftBehind.push(`group ${groupId} (kept: --keep)`);
    return;
  }
  const deleted = await recorder.step('delete group', () => client.deleteGroup(groupId), (r) => r.outcome);
  if (!deleted.ok) report.leftBehind.push(`group ${groupId}`);
}
