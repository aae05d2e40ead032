/**
 * Attribute mapping: HR record → SCIM User, and the minimal changes between two SCIM Users.
 * Pure functions only (no I/O), so workflows, activities and tests can all import them.
 */
export type { ScimPatchOperation, ScimPatchRequest, ScimUserResource } from './types';
export { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, patchRequest } from './types';
export { buildScimUser, MappingError, type MissingValue } from './build';
export { diffScimUser, diffHrSnapshots, type DiffOptions } from './diff';
export type { CompareMode } from './compare';
export { mergeForPut } from './merge';
export { applyPatch } from './apply';
export { parseScimPath, formatScimPath, ScimPathSyntaxError, type ScimPath } from './path';
export { resolveTarget, type ResolvedTarget, type TargetResult } from './target';
export { renderTemplate, templatePlaceholders, readHrField } from './template';
export { mappingValue } from './values';
export type { MappingConnector } from './compile';
