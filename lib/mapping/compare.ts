/**
 * Value equality for diffing. Two modes:
 * - `exact`: both sides were built by the orchestrator (previous vs next HR snapshot), so any
 *   difference, including case, is a real change.
 * - `scim`: the current side comes from the application, which may normalise what it stores:
 *   strings of `caseExact=false` attributes compare case-insensitively (RFC 7643 §2.2), and
 *   booleans/numbers sent back as strings (`"False"`, seen from real providers) equal their
 *   typed form. Without this, reconciliation would PATCH the same attribute forever.
 */
import type { ScimAttributeDef } from './scim-schema';

/** How {@link sameValue} compares; see the module comment. */
export type CompareMode = 'exact' | 'scim';

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** True when `current` already holds `desired` for an attribute defined by `def`. */
export function sameValue(
  current: unknown,
  desired: unknown,
  def: ScimAttributeDef | undefined,
  mode: CompareMode,
): boolean {
  if (isAbsent(current) || isAbsent(desired)) return isAbsent(current) && isAbsent(desired);
  if (current === desired) return true;
  if (mode === 'exact') return false;
  if (typeof desired === 'boolean' || typeof desired === 'number') {
    return String(current).trim().toLowerCase() === String(desired);
  }
  if (typeof current === 'string' && typeof desired === 'string') {
    return def?.caseExact === true ? false : current.toLowerCase() === desired.toLowerCase();
  }
  return false;
}
