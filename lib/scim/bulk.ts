/**
 * SCIM Bulk (RFC 7644 §3.7): many operations in one HTTP request, each with its own status.
 * Results are mapped back to the operations in request order (by `bulkId` where the app echoes
 * it, §3.7.3, else by position), and each failed one carries a `ScimError` classified like a
 * single request, so a caller can retry only what failed.
 */
import { ERROR_CODES } from '../errors';
import { classifyStatus, parseErrorBody, ScimError } from './errors';
import type { ScimCallOptions, ScimTransport } from './transport';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** One operation of a Bulk request. `bulkId` is required for POST (§3.7.1) and added when absent. */
export interface BulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the base URL: `/Users`, `/Groups/{id}`. */
  path: string;
  bulkId?: string;
  /** ETag for If-Match semantics (§3.7, §3.14). */
  version?: string;
  data?: unknown;
}

/** What the app answered for one operation. */
export interface BulkResult {
  operation: BulkOperation;
  status: number;
  /** The resource's URI (§3.7.3), from which the new `id` is the last segment. */
  location?: string;
  id?: string;
  /** Set when `status` is not 2xx. */
  error?: ScimError;
}

interface BulkResponseOperation {
  method?: string;
  bulkId?: string;
  location?: string;
  status?: string | number | { code?: string | number };
  response?: unknown;
}

/** §3.7.3 writes `status` as a string; some apps send a number or the SCIM 1.1 `{ code }` form. */
function statusOf(raw: BulkResponseOperation['status']): number {
  const v = typeof raw === 'object' && raw !== null ? raw.code : raw;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function resultFor(app: string, op: BulkOperation, answer: BulkResponseOperation | undefined): BulkResult {
  if (!answer) {
    const error = new ScimError(
      ERROR_CODES.SCIM_PROTOCOL,
      {
        app,
        operation: 'bulk',
        method: op.method,
        path: op.path,
        detail: 'the Bulk response has no result for this operation',
      },
      { retryable: true },
    );
    return { operation: op, status: 0, error };
  }
  const status = statusOf(answer.status);
  const location = typeof answer.location === 'string' ? answer.location : undefined;
  const id = location ? decodeURIComponent(location.replace(/\/$/, '').split('/').pop() ?? '') || undefined : undefined;
  if (status >= 200 && status < 300) return { operation: op, status, location, id };
  const parsed = parseErrorBody(JSON.stringify(answer.response ?? ''));
  const { code, retryable } = classifyStatus(status);
  return {
    operation: op,
    status,
    location,
    error: new ScimError(
      code,
      { app, operation: 'bulk', method: op.method, path: op.path, status, ...parsed },
      { retryable },
    ),
  };
}

/**
 * Sends `operations` in chunks of at most `maxOperations` (the app's advertised limit, §3.7.4)
 * and returns one result per operation, in order. A failed chunk request throws; per-operation
 * failures are in the results.
 */
export async function sendBulk(
  http: ScimTransport,
  app: string,
  operations: BulkOperation[],
  maxOperations: number,
  o?: ScimCallOptions,
): Promise<BulkResult[]> {
  const ops = operations.map((op, i) => (op.method === 'POST' && !op.bulkId ? { ...op, bulkId: `op-${i}` } : op));
  const results: BulkResult[] = [];
  for (let start = 0; start < ops.length; start += maxOperations) {
    const chunk = ops.slice(start, start + maxOperations);
    const res = await http.exchange(
      {
        operation: 'bulk',
        method: 'POST',
        path: '/Bulk',
        body: { schemas: [BULK_REQUEST], Operations: chunk },
        attributes: [...new Set(chunk.map((c) => `${c.method} ${c.path.split('/')[1] ?? ''}`))],
      },
      o,
    );
    const answers = ((res.body ?? {}) as { Operations?: BulkResponseOperation[] }).Operations ?? [];
    const byBulkId = new Map(answers.filter((a) => a.bulkId).map((a) => [a.bulkId!, a]));
    chunk.forEach((op, i) =>
      results.push(resultFor(app, op, (op.bulkId ? byBulkId.get(op.bulkId) : undefined) ?? answers[i])),
    );
  }
  return results;
}
