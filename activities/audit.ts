/**
 * The audit port over lib/audit's store. SCIM request records arrive through the SCIM
 * client's synchronous `onRequest` hook; they are written at once and the activity awaits
 * them (`settle`) before it completes, so a finished activity's requests are on record. Keys
 * are workflow + activity + attempt + ordinal: a retry is a new attempt (new requests, new
 * records), a replay writes nothing twice.
 */
import type { AuditStore } from '../lib/audit';
import type { ScimRequestInfo } from '../lib/scim';
import type { AccountRecordInput, AuditPort } from './audit-port';
import type { CallContext } from './context';
import type { MilestoneInput } from './contract';

export interface StoreAuditPort extends AuditPort {
  recordScimRequest(info: ScimRequestInfo): void;
  settle(call: CallContext): Promise<void>;
}

function attemptKey(context: Record<string, string | number> | undefined): string | undefined {
  if (!context?.workflowId || !context.activityId) return undefined;
  return `${context.workflowId}#${context.runId ?? ''}#${context.activityId}#${context.attempt ?? 1}`;
}

export function createAuditPort(store: AuditStore, onError: (err: unknown) => void): StoreAuditPort {
  const pending = new Map<string, { count: number; writes: Promise<unknown>[] }>();
  return {
    findAccount: async (employeeId, app) => (await store.getAccounts(employeeId)).find((a) => a.app === app && a.state !== 'deleted')?.scimId,

    recordAccount: async (input: AccountRecordInput) => {
      await store.upsertAccount({ employeeId: input.employeeId, app: input.app, scimId: input.scimId, state: input.state, lastChangeAtMs: input.atMs });
    },

    recordMilestones: async (input: MilestoneInput) => {
      for (const { key, entry } of input.entries) {
        await store.append({ key, kind: 'milestone', employeeId: input.employeeId, workflowId: entry.workflowId ?? input.workflowId, runId: input.runId, occurredAtMs: entry.atMs, data: { ...entry } });
      }
    },

    recordScimRequest: (info) => {
      const key = attemptKey(info.context);
      const employeeId = info.context?.employeeId;
      if (!key || !employeeId) return;
      const slot = pending.get(key) ?? { count: 0, writes: [] };
      pending.set(key, slot);
      const n = ++slot.count;
      const { context, ...data } = info;
      const write = store.append({
          key: `${key}#${n}`,
          kind: 'scim-request',
          employeeId: String(employeeId),
          workflowId: context?.workflowId as string,
          runId: context?.runId as string,
          occurredAtMs: Date.now(),
          data: { ...data, attempt: context?.attempt, eventId: context?.eventId },
        });
      // Logged now; `settle` rethrows, failing the attempt so it is retried and the evidence re-recorded.
      write.catch(onError);
      slot.writes.push(write);
    },

    settle: async (call) => {
      const key = attemptKey(call.context);
      const slot = key ? pending.get(key) : undefined;
      if (!key || !slot) return;
      pending.delete(key);
      await Promise.all(slot.writes);
    },
  };
}
