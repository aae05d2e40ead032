/**
 * Search attribute names → types and record values. Custom attributes are looked up first, as
 * the server does, then the system attributes every run has. Values are normalized to a list
 * of scalars (numbers for times and durations) or `null` for SQL NULL.
 */
import type { FieldRef } from './ast';
import { VisibilityQueryError, type SearchAttributeType, type VisibilityRecord } from './types';

export type Scalar = string | number | boolean;

/** A resolved attribute: its type, and how to read it from a record. */
export interface Field {
  name: string;
  type: SearchAttributeType;
  /** `ExecutionStatus` and `ExecutionDuration` take special literals. */
  special?: 'status' | 'duration';
  read(r: VisibilityRecord): Scalar[] | null;
}

const one = (v: Scalar | undefined): Scalar[] | null => (v === undefined ? null : [v]);

function system(
  type: SearchAttributeType,
  read: (r: VisibilityRecord) => Scalar | undefined,
  special?: Field['special'],
): Omit<Field, 'name'> {
  return { type, special, read: (r) => one(read(r)) };
}

const SYSTEM: Record<string, Omit<Field, 'name'>> = {
  WorkflowId: system('Keyword', (r) => r.workflowId),
  RunId: system('Keyword', (r) => r.runId),
  WorkflowType: system('Keyword', (r) => r.workflowType),
  TaskQueue: system('Keyword', (r) => r.taskQueue),
  ExecutionStatus: system('Keyword', (r) => r.status, 'status'),
  StartTime: system('Datetime', (r) => r.startTimeMs),
  ExecutionTime: system('Datetime', (r) => r.executionTimeMs),
  CloseTime: system('Datetime', (r) => r.closeTimeMs),
  HistoryLength: system('Int', (r) => r.historyLength),
  // Stored by the server in nanoseconds between execution start and close; NULL while open.
  ExecutionDuration: system(
    'Int',
    (r) => (r.closeTimeMs === undefined ? undefined : (r.closeTimeMs - r.executionTimeMs) * 1e6),
    'duration',
  ),
  ParentWorkflowId: system('Keyword', (r) => r.parentWorkflowId),
  ParentRunId: system('Keyword', (r) => r.parentRunId),
  RootWorkflowId: system('Keyword', (r) => r.rootWorkflowId),
  RootRunId: system('Keyword', (r) => r.rootRunId),
  // Set by the server on its own system workflows (schedules, batch); never on user workflows here.
  TemporalNamespaceDivision: system('Keyword', (r) => r.namespaceDivision),
};

/** Names of the system attributes queries may use. */
export const SYSTEM_ATTRIBUTE_NAMES: readonly string[] = Object.keys(SYSTEM);

function customScalar(v: unknown, type: SearchAttributeType): Scalar | undefined {
  if (type === 'Datetime') {
    const ms = typeof v === 'number' ? v : v instanceof Date ? v.getTime() : Date.parse(String(v));
    return Number.isNaN(ms) ? undefined : ms;
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

function readCustom(r: VisibilityRecord, name: string, type: SearchAttributeType): Scalar[] | null {
  const raw = r.searchAttributes[name];
  if (raw === undefined || raw === null) return null;
  const values = (Array.isArray(raw) ? raw : [raw])
    .map((v) => customScalar(v, type))
    .filter((v): v is Scalar => v !== undefined);
  // The SDK removes an attribute by upserting an empty list, so [] is NULL as on the server.
  return values.length ? values : null;
}

/** Resolves a name as written in a query; throws for names that are neither custom nor system. */
export function resolveField(ref: FieldRef, types: Record<string, SearchAttributeType>): Field {
  const type = Object.hasOwn(types, ref.name) ? types[ref.name] : undefined;
  if (type) return { name: ref.name, type, read: (r) => readCustom(r, ref.name, type) };
  const sys = Object.hasOwn(SYSTEM, ref.name) ? SYSTEM[ref.name] : undefined;
  if (sys) return { name: ref.name, ...sys };
  throw new VisibilityQueryError(
    `'${ref.name}' is not a valid search attribute (names are case-sensitive; register custom ones first)`,
    ref.pos,
  );
}
