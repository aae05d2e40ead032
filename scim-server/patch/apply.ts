/**
 * Applies a PATCH request (RFC 7644 §3.5.2) to a copy of a resource's attributes. The request
 * is atomic: either every operation applies or the stored resource is left untouched (the
 * caller commits the returned copy only on success).
 */
import { ScimProtocolError, badRequest } from '../protocol/errors';
import { URN } from '../protocol/urns';
import { parsePatchPath, type PathContext, type PatchTarget } from './path';
import { addValue, removeValue, replaceValue, type Json } from './operations';

/** PATCH operation names, normalized to lower case. */
export type PatchOpName = 'add' | 'replace' | 'remove';

/** One validated element of `Operations`. */
export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

/** How paths are resolved and which path forms the service provider refuses. */
export interface PatchOptions extends PathContext {
  /** Refuse value-filter paths (`emails[type eq "work"].value`) like some apps do. */
  rejectValuePaths: boolean;
  /** The patched resource's id: Okta repeats it in path-less values, which is harmless when unchanged. */
  resourceId?: string;
  /** `add` to `members` appends a member that is already listed (the `duplicateMembers` quirk). */
  duplicateMembers?: boolean;
  /** Which member removes are silently dropped (the `memberRemoval` quirk). @default 'applied' */
  memberRemoval?: 'applied' | 'ignores-value-path' | 'ignored';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates the PatchOp envelope. Operation names are case-insensitive (Entra sends
 * `Replace`) unless `lowercaseOnly`, which models apps that accept only the RFC's spelling.
 */
export function parsePatchRequest(body: unknown, lowercaseOnly = false): PatchOperation[] {
  if (!isObject(body)) throw badRequest.invalidSyntax('the PATCH body must be a JSON object');
  const schemas = Array.isArray(body.schemas) ? body.schemas : [];
  if (!schemas.some((s) => typeof s === 'string' && s.toLowerCase() === URN.patchOp.toLowerCase())) {
    throw badRequest.invalidSyntax(`a PATCH body must list the schema ${URN.patchOp}`);
  }
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw badRequest.invalidSyntax('"Operations" must be a non-empty array');
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw badRequest.invalidSyntax(`Operations[${i}] must be an object`);
    const op =
      typeof raw.op === 'string' && (!lowercaseOnly || raw.op === raw.op.toLowerCase()) ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw badRequest.invalidSyntax(`Operations[${i}].op "${String(raw.op)}" is not add, replace or remove`);
    if (raw.path !== undefined && typeof raw.path !== 'string')
      throw badRequest.invalidPath(`Operations[${i}].path must be a string`);
    if (op !== 'remove' && raw.value === undefined)
      throw badRequest.invalidSyntax(`Operations[${i}] (${op}) needs a "value"`);
    return { op, path: raw.path as string | undefined, value: raw.value };
  });
}

function applyTargeted(data: Json, op: PatchOpName, target: PatchTarget, value: unknown, options: PatchOptions): void {
  if (target.kind === 'extension') {
    if (op === 'remove') {
      delete data[target.schema.id];
      return;
    }
    if (!isObject(value)) throw badRequest.invalidValue(`the value for ${target.schema.id} must be an object`);
    for (const [key, inner] of Object.entries(value)) applyPath(data, op, `${target.schema.id}:${key}`, inner, options);
    return;
  }
  if (
    op === 'remove' &&
    target.ref.def.name === 'members' &&
    ignoresRemoval(options.memberRemoval, target.filter !== undefined)
  )
    return;
  if (target.filter && options.rejectValuePaths) {
    throw badRequest.invalidPath(
      `value filter paths such as "${target.raw}" are not supported; replace the whole attribute`,
    );
  }
  if (op === 'add')
    addValue(data, target, value, options.duplicateMembers === true && target.ref.def.name === 'members');
  else if (op === 'replace') replaceValue(data, target, value);
  else removeValue(data, target, value);
}

function ignoresRemoval(mode: PatchOptions['memberRemoval'], valuePath: boolean): boolean {
  return mode === 'ignored' || (mode === 'ignores-value-path' && valuePath);
}

function applyPath(data: Json, op: PatchOpName, path: string, value: unknown, options: PatchOptions): void {
  applyTargeted(data, op, parsePatchPath(path, options), value, options);
}

/**
 * Without a path the value is an object whose keys are attributes of the resource (§3.5.2.1,
 * §3.5.2.3). Entra also puts full paths there (`name.givenName`, `urn:…:User:department`), so
 * each key is read as a path.
 */
function applyWithoutPath(data: Json, operation: PatchOperation, options: PatchOptions): void {
  if (operation.op === 'remove') throw badRequest.noTarget('a remove operation needs a "path" (RFC 7644 §3.5.2.2)');
  if (!isObject(operation.value))
    throw badRequest.invalidValue(`a ${operation.op} without "path" needs an object value`);
  for (const [key, value] of Object.entries(operation.value)) {
    if (key.toLowerCase() === 'schemas') continue;
    if (key.toLowerCase() === 'id' && value === options.resourceId) continue;
    applyPath(data, operation.op, key, value, options);
  }
}

/** Returns the patched copy of `data`; throws a ScimProtocolError (400) when any operation fails. */
export function applyPatch(data: Json, operations: PatchOperation[], options: PatchOptions): Json {
  const copy = structuredClone(data);
  operations.forEach((operation, index) => {
    try {
      if (operation.path === undefined || operation.path === '') applyWithoutPath(copy, operation, options);
      else applyPath(copy, operation.op, operation.path, operation.value, options);
    } catch (err) {
      if (err instanceof ScimProtocolError)
        throw new ScimProtocolError(err.status, `Operations[${index}]: ${err.message}`, err.scimType);
      throw err;
    }
  });
  return copy;
}
