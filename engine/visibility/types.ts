/** Types shared by the visibility query modules: what the engine hands in, what it gets back. */

/** Indexed value types of search attributes (`temporal.api.enums.v1.IndexedValueType`, short names). */
export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** Workflow execution statuses as the query language spells them (`ExecutionStatus = 'Running'`). */
export type ExecutionStatusName =
  | 'Running'
  | 'Completed'
  | 'Failed'
  | 'Canceled'
  | 'Terminated'
  | 'ContinuedAsNew'
  | 'TimedOut';

/** One run as visibility sees it. Times are epoch milliseconds. */
export interface VisibilityRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatusName;
  startTimeMs: number;
  executionTimeMs: number;
  /** Absent while the run is open (`CloseTime IS NULL`). */
  closeTimeMs?: number;
  /** Events in the run's history (`HistoryLength`). */
  historyLength?: number;
  /** Set for child workflows (`ParentWorkflowId IS NULL` lists top-level runs only). */
  parentWorkflowId?: string;
  parentRunId?: string;
  rootWorkflowId?: string;
  rootRunId?: string;
  /** TemporalNamespaceDivision: the server's own system workflows only (e.g. TemporalScheduler). */
  namespaceDivision?: string;
  /**
   * Custom search attributes, decoded from their JSON payloads: Datetime as an RFC 3339 string
   * or epoch ms, KeywordList as a string array. A one-element array on a single-valued type is
   * unwrapped (the SDK's untyped `searchAttributes` option sends every value as an array).
   */
  searchAttributes: Record<string, unknown>;
}

/**
 * A query the server would refuse. The engine maps it to gRPC INVALID_ARGUMENT, as the real
 * server does for its converter errors.
 */
export class VisibilityQueryError extends Error {
  override name = 'VisibilityQueryError';

  /**
   * @param problem - what is wrong, without the position
   * @param position - 0-based character offset in the query, when there is one
   */
  constructor(
    problem: string,
    readonly position?: number,
  ) {
    super(position === undefined ? problem : `${problem} (at position ${position})`);
  }
}

/** A compiled query: a filter and, with ORDER BY, a comparator for `Array.prototype.sort`. */
export interface CompiledVisibilityQuery {
  matches(r: VisibilityRecord): boolean;
  compare?(a: VisibilityRecord, b: VisibilityRecord): number;
  /** `GROUP BY ExecutionStatus`: the attribute to group counts by (only CountWorkflowExecutions takes it). */
  groupBy?: 'ExecutionStatus';
}
