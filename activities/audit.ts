/**
 * The audit port over lib/audit's store. Each activity attempt gets its own request recorder,
 * which the SCIM client calls for every exchange of that attempt; records are written at once
 * and the activity awaits them (`settle`) before it completes, so a finished activity's
 * requests are on record. Keys are workflow + activity + attempt + ordinal: a retry is a new
 * attempt (new requests, new records), a replay writes nothing twice.
 */
import type { AuditStore } from '../lib/audit';
import type { ScimRequestInfo } from '../lib/scim';
import type { AccountRecordInput, AuditPort, ReconciliationRecordInput } from './audit-port';
import type { CallContext } from './context';
import type { MilestoneInput } from './contract';

export type StoreAuditPort = Required<Pick<AuditPort, 'requestRecorder'>> & AuditPort;

function attemptKey(context: CallContext['context']): string | undefined {
  if (!context.workflowId || !context.activityId) return undefined;
  return `${context.workflowId}#${context.runId ?? ''}#${context.activityId}#${context.attempt ?? 1}`;
}

export function createAuditPort(store: AuditStore, onError: (err: unknown) => void): StoreAuditPort {
  return {
    findAccount: async (employeeId, app) =>
      (await store.getAccounts(employeeId)).find((a) => a.app === app && a.state !== 'deleted')?.scimId,

    recordAccount: async (input: AccountRecordInput) => {
      await store.upsertAccount(
        {
          employeeId: input.employeeId,
          app: input.app,
          scimId: input.scimId,
          state: input.state,
          lastChangeAtMs: input.atMs,
        },
        { urgent: input.urgent },
      );
    },

    recordMilestones: async (input: MilestoneInput) => {
      // In order, in one hand-over: they share a transaction, and one that fails stops the rest.
      await store.appendAll(
        input.entries.map(({ key, entry }) => ({
          key,
          kind: 'milestone' as const,
          employeeId: input.employeeId,
          workflowId: entry.workflowId ?? input.workflowId,
          runId: input.runId,
          occurredAtMs: entry.atMs,
          data: storable({ ...entry }),
        })),
      );
      // After the evidence: the directory is a convenience index, and a retry rewrites it harmlessly.
      if (input.person) {
        const { displayName, department, status, asOfMs } = input.person;
        const clean = (v: string | undefined) => (v === undefined ? undefined : storableText(v));
        await store.upsertPerson({
          employeeId: input.employeeId,
          displayName: storableText(displayName),
          department: clean(department),
          status: clean(status),
          asOfMs,
        });
      }
    },

    recordReconciliation: async (input: ReconciliationRecordInput) => {
      await store.append({
        key: input.key,
        kind: 'reconciliation',
        employeeId: input.workflowId,
        workflowId: input.workflowId,
        occurredAtMs: input.occurredAtMs,
        data: storable({ ...input.data }),
      });
    },

    requestRecorder: (context, options = {}) => {
      const key = attemptKey(context);
      const employeeId = context.employeeId;
      const writes: Promise<unknown>[] = [];
      let n = 0;
      return {
        record: (info: ScimRequestInfo) => {
          // Outside a workflow run (CLI dry runs) there is nothing to key the record by.
          if (!key || !employeeId) return;
          const write = store.append(
            {
              key: `${key}#${++n}`,
              kind: 'scim-request',
              employeeId: String(employeeId),
              workflowId: String(context.workflowId),
              runId: String(context.runId),
              occurredAtMs: Date.now(),
              data: { ...info, attempt: context.attempt, eventId: context.eventId },
            },
            { urgent: options.urgent },
          );
          // Logged now; `settle` rethrows, failing the attempt so it is retried and the evidence re-recorded.
          write.catch(onError);
          writes.push(write);
        },
        settle: async () => {
          await Promise.all(writes);
        },
      };
    },
  };
}

/** U+0000 and unpaired surrogates: text PostgreSQL (and PGlite) refuse to store (22P05, 22021). */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text the store can hold (see {@link storable}). */
function storableText(value: string): string {
  return value.replace(UNSTORABLE, '\ufffd');
}

/**
 * A milestone the store can hold. One HR string with U+0000 would otherwise make this
 * milestone — and, since milestones are handed over in order, every later one — fail for good.
 * Such characters become U+FFFD and the record says which fields were changed, so the evidence
 * is written and honest about it.
 */
export function storable(data: Record<string, unknown>): Record<string, unknown> {
  const replaced: string[] = [];
  const clean = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      const fixed = value.replace(UNSTORABLE, '\ufffd');
      if (fixed !== value) replaced.push(path);
      return fixed;
    }
    if (Array.isArray(value)) return value.map((v, i) => clean(v, `${path}[${i}]`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [clean(k, path), clean(v, path ? `${path}.${k}` : k)]),
      );
    }
    return value;
  };
  const out = clean(data, '') as Record<string, unknown>;
  return replaced.length === 0 ? data : { ...out, unstorableCharactersReplaced: replaced };
}
