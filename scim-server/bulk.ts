/**
 * `POST /Bulk` (RFC 7644 §3.7). Operations run in request order, except that an operation
 * referring to a `bulkId` created later in the request waits until that id is known
 * (§3.7.2); references that can never be resolved answer 409 invalidValue. `failOnErrors`
 * stops processing after that many errors (§3.7.3).
 */
import type { ScimRequest, ScimResponse, ServerState } from './context';
import { BULK_LIMITS } from './discovery';
import { ScimProtocolError, badRequest, errorBody } from './protocol/errors';
import { URN } from './protocol/urns';

type Json = Record<string, unknown>;
type Router = (state: ServerState, req: ScimRequest) => ScimResponse;

interface BulkOperation {
  index: number;
  method: string;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

const BULK_REF = /bulkId:([^"/\s]+)/g;

function parseOperations(body: unknown): { operations: BulkOperation[]; failOnErrors?: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest.invalidSyntax('the Bulk body must be a JSON object');
  const { schemas, Operations: ops, failOnErrors } = body as Json;
  if (!Array.isArray(schemas) || !schemas.includes(URN.bulkRequest))
    throw badRequest.invalidSyntax(`a Bulk body must list the schema ${URN.bulkRequest}`);
  if (!Array.isArray(ops)) throw badRequest.invalidSyntax('"Operations" must be an array');
  if (ops.length > BULK_LIMITS.maxOperations)
    throw new ScimProtocolError(
      413,
      `at most ${BULK_LIMITS.maxOperations} operations per Bulk request (maxOperations, RFC 7644 §3.7.4)`,
    );
  if (failOnErrors !== undefined && (!Number.isInteger(failOnErrors) || (failOnErrors as number) < 1))
    throw badRequest.invalidValue('"failOnErrors" must be a positive integer');
  const operations = ops.map((raw: unknown, index): BulkOperation => {
    const op = (raw ?? {}) as Json;
    const method = typeof op.method === 'string' ? op.method.toUpperCase() : '';
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method))
      throw badRequest.invalidSyntax(`Operations[${index}].method must be POST, PUT, PATCH or DELETE`);
    if (typeof op.path !== 'string') throw badRequest.invalidSyntax(`Operations[${index}].path is required`);
    if (method === 'POST' && typeof op.bulkId !== 'string')
      throw badRequest.invalidSyntax(`Operations[${index}]: a POST needs a bulkId`);
    return {
      index,
      method,
      bulkId: op.bulkId as string | undefined,
      version: op.version as string | undefined,
      path: op.path,
      data: op.data,
    };
  });
  return { operations, failOnErrors: failOnErrors as number | undefined };
}

function referencedIds(op: BulkOperation): string[] {
  const text = `${op.path} ${JSON.stringify(op.data ?? null)}`;
  return [...text.matchAll(BULK_REF)].map((m) => m[1]!);
}

function substitute(op: BulkOperation, ids: Map<string, string>): { path: string; data: unknown } {
  const replace = (text: string) => text.replace(BULK_REF, (whole, id: string) => ids.get(id) ?? whole);
  return {
    path: replace(op.path),
    data: op.data === undefined ? undefined : (JSON.parse(replace(JSON.stringify(op.data))) as unknown),
  };
}

function runOne(state: ServerState, op: BulkOperation, ids: Map<string, string>, router: Router): Json {
  const { path, data } = substitute(op, ids);
  const result: Json = { method: op.method };
  if (op.bulkId) result.bulkId = op.bulkId;
  try {
    const response = router(state, {
      method: op.method,
      path,
      query: new URLSearchParams(),
      headers: op.version ? { 'if-match': op.version } : {},
      body: data,
    });
    const body = response.body as Json | undefined;
    const meta = body?.meta as Json | undefined;
    const location =
      response.headers?.location ??
      (meta?.location as string | undefined) ??
      (op.method === 'POST' ? undefined : `${state.baseUrl}${path}`);
    if (op.method === 'POST' && op.bulkId && typeof body?.id === 'string') ids.set(op.bulkId, body.id);
    if (location) result.location = location;
    if (response.headers?.etag) result.version = response.headers.etag;
    result.status = String(response.status);
  } catch (err) {
    if (!(err instanceof ScimProtocolError)) throw err;
    result.status = String(err.status);
    result.response = errorBody(err.status, err.message, err.scimType);
  }
  return result;
}

function unresolved(op: BulkOperation): Json {
  const body = errorBody(409, `bulkId reference in operation ${op.index} cannot be resolved`, 'invalidValue');
  return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), status: '409', response: body };
}

/** Picks the next runnable operation: the first one whose bulkId references are all known. */
function nextRunnable(
  pending: BulkOperation[],
  ids: Map<string, string>,
  declared: Set<string>,
): BulkOperation | undefined {
  return pending.find((op) => referencedIds(op).every((id) => ids.has(id) || !declared.has(id)));
}

/** `POST /Bulk`: runs the operations through `router` and answers a BulkResponse (always 200; per-operation statuses inside). */
export function handleBulk(state: ServerState, req: ScimRequest, router: Router): ScimResponse {
  if (JSON.stringify(req.body ?? null).length > BULK_LIMITS.maxPayloadSize)
    throw new ScimProtocolError(413, `the Bulk payload exceeds ${BULK_LIMITS.maxPayloadSize} bytes`);
  const { operations, failOnErrors } = parseOperations(req.body);
  const declared = new Set(operations.map((o) => o.bulkId).filter((id): id is string => id !== undefined));
  const ids = new Map<string, string>();
  const results = new Map<number, Json>();
  const pending = [...operations];
  let errors = 0;
  while (pending.length && (failOnErrors === undefined || errors < failOnErrors)) {
    const op = nextRunnable(pending, ids, declared) ?? pending[0]!;
    pending.splice(pending.indexOf(op), 1);
    const waitsForUnknown = referencedIds(op).some((id) => declared.has(id) && !ids.has(id));
    const result = waitsForUnknown ? unresolved(op) : runOne(state, op, ids, router);
    if (Number(result.status) >= 400) errors += 1;
    results.set(op.index, result);
  }
  const ordered = [...results.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
  return { status: 200, body: { schemas: [URN.bulkResponse], Operations: ordered } };
}
