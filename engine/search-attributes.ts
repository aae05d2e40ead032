/**
 * Search attributes: the defaults a fresh engine registers (the system's own, and the ones
 * jml-orchestrator sets so the same code runs as on a real server after registration), the
 * check that rejects unknown names as the real server does, and decoding for visibility.
 */
import { invalidArgument } from './errors';
import { decodePayload, type SearchAttributes } from './proto';
import type { EngineCore, Namespace, Run } from './state';

export const DEFAULT_CUSTOM_SEARCH_ATTRIBUTES: Record<string, string> = {
  EmployeeId: 'INDEXED_VALUE_TYPE_KEYWORD',
  LifecycleEvent: 'INDEXED_VALUE_TYPE_KEYWORD',
  SlaDeadline: 'INDEXED_VALUE_TYPE_DATETIME',
  SlaBreached: 'INDEXED_VALUE_TYPE_BOOL',
  Apps: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
  // The generic ones a dev server pre-registers (temporal server start-dev does the same).
  CustomKeywordField: 'INDEXED_VALUE_TYPE_KEYWORD',
  CustomStringField: 'INDEXED_VALUE_TYPE_TEXT',
  CustomTextField: 'INDEXED_VALUE_TYPE_TEXT',
  CustomIntField: 'INDEXED_VALUE_TYPE_INT',
  CustomDoubleField: 'INDEXED_VALUE_TYPE_DOUBLE',
  CustomBoolField: 'INDEXED_VALUE_TYPE_BOOL',
  CustomDatetimeField: 'INDEXED_VALUE_TYPE_DATETIME',
};

/** System attributes visibility queries may use. */
export const SYSTEM_SEARCH_ATTRIBUTES: Record<string, string> = {
  WorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
  RunId: 'INDEXED_VALUE_TYPE_KEYWORD',
  WorkflowType: 'INDEXED_VALUE_TYPE_KEYWORD',
  ExecutionStatus: 'INDEXED_VALUE_TYPE_KEYWORD',
  StartTime: 'INDEXED_VALUE_TYPE_DATETIME',
  CloseTime: 'INDEXED_VALUE_TYPE_DATETIME',
  ExecutionTime: 'INDEXED_VALUE_TYPE_DATETIME',
  TaskQueue: 'INDEXED_VALUE_TYPE_KEYWORD',
  HistoryLength: 'INDEXED_VALUE_TYPE_INT',
  ExecutionDuration: 'INDEXED_VALUE_TYPE_INT',
  ParentWorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
  ParentRunId: 'INDEXED_VALUE_TYPE_KEYWORD',
  RootWorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
  RootRunId: 'INDEXED_VALUE_TYPE_KEYWORD',
  TemporalNamespaceDivision: 'INDEXED_VALUE_TYPE_KEYWORD',
};

export function checkSearchAttributeNames(ns: Namespace, sa: SearchAttributes | undefined): void {
  for (const name of Object.keys(sa?.indexedFields ?? {})) {
    if (!ns.searchAttributes.has(name)) {
      throw invalidArgument(
        `search attribute ${name} is not defined; register it first (temporal operator search-attribute create --name ${name} --type …)`,
      );
    }
  }
}

export function mergeSearchAttributes(core: EngineCore, run: Run, sa: SearchAttributes | undefined): void {
  void core;
  for (const [name, payload] of Object.entries(sa?.indexedFields ?? {})) {
    // An upsert with an empty payload (data null) removes the attribute.
    if (payload?.data === undefined || Buffer.from(payload.data).toString() === 'null')
      delete run.searchAttributes[name];
    else run.searchAttributes[name] = payload;
  }
}

/** Decoded values for the visibility query evaluator. */
export function decodedSearchAttributes(run: Run): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, payload] of Object.entries(run.searchAttributes)) out[name] = decodePayload(payload);
  return out;
}
