/**
 * Task priority as a Temporal server resolves it: a Priority is set on a workflow (start
 * request, or a child's command) and on an activity (its command); a field left unset (or 0)
 * inherits the value of the workflow that created the work, and with nothing set anywhere the
 * key is the default, (1 + levels) / 2 = 3. Matching dispatches a backlog by key, 1 first.
 * Only the priority key orders dispatch here; fairness keys and weights are carried on the
 * events as given but do not change the order.
 */
import type { temporal } from '@temporalio/proto';
import { invalidArgument } from './errors';
import type { Plain } from './proto';

export type Priority = Plain<temporal.api.common.v1.IPriority>;

/** Keys run from 1 (first) to this (last): the server's default number of levels. */
export const PRIORITY_LEVELS = 5;
export const DEFAULT_PRIORITY_KEY = Math.ceil((1 + PRIORITY_LEVELS) / 2);

/** A field-wise merge: what `override` sets wins, the rest comes from `base` (the server's rule). */
export function mergePriority(base: Priority | undefined, override: Priority | undefined): Priority | undefined {
  if (!base) return override;
  if (!override) return base;
  return {
    priorityKey: Number(override.priorityKey) || Number(base.priorityKey) || 0,
    fairnessKey: override.fairnessKey || base.fairnessKey || '',
    fairnessWeight: Number(override.fairnessWeight) || Number(base.fairnessWeight) || 0,
  };
}

/** The key matching orders by: unset is the default, keys past the last level count as the last. */
export function priorityKeyOf(priority: Priority | undefined): number {
  const key = Number(priority?.priorityKey) || 0;
  if (key <= 0) return DEFAULT_PRIORITY_KEY;
  return Math.min(Math.floor(key), PRIORITY_LEVELS);
}

/** Rejects what the server rejects (`field` names where the bad value came from). */
export function checkPriority(priority: Priority | undefined | null, field: string): Priority | undefined {
  if (!priority) return undefined;
  if (Number(priority.priorityKey) < 0) throw invalidArgument(`${field}.priorityKey can't be negative`);
  if (Number(priority.fairnessWeight) < 0) throw invalidArgument(`${field}.fairnessWeight can't be negative`);
  if (Buffer.byteLength(priority.fairnessKey ?? '') > 64)
    throw invalidArgument(`${field}.fairnessKey is longer than 64 bytes`);
  return priority;
}
