/**
 * Group membership for one account: the rule-granted groups are added (creating a group only
 * where the connector allows it) and the no-longer-granted ones removed. Apps without groups
 * support, or connectors that do not manage groups, are left alone.
 */
import type { ConnectorConfig } from '../lib/config/types';
import { ERROR_CODES, JmlError } from '../lib/errors';
import type { ScimClient } from '../lib/scim';
import type { CallContext } from './context';

export interface GroupChange {
  add: string[];
  remove: string[];
  current: string[];
}

/** Returns the managed groups after the change (empty when the connector manages none). */
export async function syncGroups(connector: ConnectorConfig, client: ScimClient, userId: string, change: GroupChange, call: CallContext): Promise<string[]> {
  if (!connector.capabilities.groups || !connector.groups.manage) return [];
  for (const name of change.add) {
    const group = await client.ensureGroup(name, call);
    if (!group) throw missingGroup(connector, name);
    await client.addMembers(group.id, [userId], call);
  }
  for (const name of change.remove) {
    const group = await client.findGroup(name, call);
    // A group deleted in the app has no member to remove: the goal already holds.
    if (group?.id) await client.removeMembers(group.id, [userId], call);
  }
  const removed = new Set(change.remove);
  return [...new Set([...change.current.filter((g) => !removed.has(g)), ...change.add])].sort();
}

function missingGroup(connector: ConnectorConfig, name: string): JmlError {
  return new JmlError(
    ERROR_CODES.SCIM_NOT_FOUND,
    `group "${name}" does not exist in ${connector.id} and groups.create is false in ${connector.sourceFile}: create the group in the app or set groups.create: true, then retryApp`,
  );
}
