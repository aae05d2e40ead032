/**
 * SCIM wire shapes shared by the mapping functions and the SCIM client.
 */

/** RFC 7643 §8.7.1 — the core User schema URN. */
export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** RFC 7643 §4.3 — the enterprise User extension URN. */
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** RFC 7644 §3.5.2 — the PatchOp message URN. */
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * A SCIM User resource as sent or received (RFC 7643 §4.1). Extension attributes live under
 * their schema URN as a key (`{"urn:…:enterprise:2.0:User": {"department": "R&D"}}`,
 * RFC 7643 §3.3). Attributes the orchestrator does not map are kept as they are (`unknown`).
 */
export interface ScimUserResource {
  schemas: string[];
  id?: string;
  externalId?: string;
  userName?: string;
  active?: boolean;
  meta?: { resourceType?: string; created?: string; lastModified?: string; location?: string; version?: string };
  [attribute: string]: unknown;
}

/**
 * One PATCH operation (RFC 7644 §3.5.2). Ops are always sent lowercase; servers must accept
 * any case, and some identity providers send `Add`/`Replace`, so readers compare
 * case-insensitively.
 */
export interface ScimPatchOperation {
  op: 'add' | 'replace' | 'remove';
  /** Attribute path (RFC 7644 §3.10 / §3.5.2 `PATH`); absent only for an `add`/`replace` of a whole resource fragment. */
  path?: string;
  value?: unknown;
}

/** The body of `PATCH /Users/{id}` (RFC 7644 §3.5.2). */
export interface ScimPatchRequest {
  schemas: [typeof PATCH_OP_SCHEMA];
  Operations: ScimPatchOperation[];
}

/** Wraps operations in the PatchOp message (RFC 7644 §3.5.2). */
export function patchRequest(operations: ScimPatchOperation[]): ScimPatchRequest {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}
