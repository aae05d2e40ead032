/** List/CountWorkflowExecutions over the engine's runs, newest first unless ORDER BY says otherwise. */
import { invalidArgument } from './errors';
import { executionInfo } from './engine';
import type { temporal } from '@temporalio/proto';
import { jsonPayload, type Plain } from './proto';
import { decodedSearchAttributes } from './search-attributes';
import { findRun, type Namespace, type Run } from './state';
import {
  compileVisibilityQuery,
  VisibilityQueryError,
  type SearchAttributeType,
  type VisibilityRecord,
} from './visibility';

const TYPE_NAMES: Record<string, SearchAttributeType> = {
  INDEXED_VALUE_TYPE_KEYWORD: 'Keyword',
  INDEXED_VALUE_TYPE_TEXT: 'Text',
  INDEXED_VALUE_TYPE_INT: 'Int',
  INDEXED_VALUE_TYPE_DOUBLE: 'Double',
  INDEXED_VALUE_TYPE_BOOL: 'Bool',
  INDEXED_VALUE_TYPE_DATETIME: 'Datetime',
  INDEXED_VALUE_TYPE_KEYWORD_LIST: 'KeywordList',
};

/** The run at the top of the parent chain (itself when it has no parent): RootWorkflowId / RootRunId. */
export function rootOf(ns: Namespace, run: Run): { workflowId: string; runId: string } {
  let at = run;
  for (let depth = 0; at.parent && depth < 1000; depth++) {
    const parent = findRun(ns, at.parent.workflowId, at.parent.runId);
    if (!parent) return { workflowId: at.parent.workflowId, runId: at.parent.runId };
    at = parent;
  }
  return { workflowId: at.workflowId, runId: at.runId };
}

function record(ns: Namespace, run: Run): VisibilityRecord {
  const root = rootOf(ns, run);
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    status: run.status,
    startTimeMs: run.startMs,
    executionTimeMs: run.executionMs,
    closeTimeMs: run.closeMs,
    historyLength: run.events.length,
    parentWorkflowId: run.parent?.workflowId,
    parentRunId: run.parent?.runId,
    rootWorkflowId: root.workflowId,
    rootRunId: root.runId,
    searchAttributes: decodedSearchAttributes(run),
  };
}

interface Matched {
  runs: Run[];
  groupBy?: 'ExecutionStatus';
}

function matching(ns: Namespace, query: string | undefined): Matched {
  const types: Record<string, SearchAttributeType> = {};
  for (const [name, t] of ns.searchAttributes) types[name] = TYPE_NAMES[t] ?? 'Keyword';
  let compiled;
  try {
    compiled = compileVisibilityQuery(query ?? '', types);
  } catch (err) {
    if (err instanceof VisibilityQueryError) throw invalidArgument(`invalid query: ${err.message}`);
    throw err;
  }
  const runs = [...ns.workflows.values()].flat();
  const pairs = runs.map((run) => ({ run, rec: record(ns, run) })).filter((p) => compiled.matches(p.rec));
  if (compiled.compare) pairs.sort((a, b) => compiled.compare!(a.rec, b.rec));
  else pairs.sort((a, b) => b.run.startMs - a.run.startMs || (a.run.runId < b.run.runId ? -1 : 1));
  return { runs: pairs.map((p) => p.run), groupBy: compiled.groupBy };
}

export function listExecutions(
  ns: Namespace,
  req:
    | Plain<temporal.api.workflowservice.v1.IListWorkflowExecutionsRequest>
    | Plain<temporal.api.workflowservice.v1.IScanWorkflowExecutionsRequest>,
): Plain<temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse> {
  const { runs: all, groupBy } = matching(ns, req.query);
  if (groupBy) throw invalidArgument('invalid query: GROUP BY is only supported by CountWorkflowExecutions');
  const from = req.nextPageToken?.length ? Number(Buffer.from(req.nextPageToken).toString()) : 0;
  const size = Number(req.pageSize) || 1000;
  const page = all.slice(from, from + size);
  const next = from + page.length;
  return {
    executions: page.map(executionInfo),
    nextPageToken: next < all.length ? Buffer.from(String(next)) : undefined,
  };
}

const STATUS_ORDER: Run['status'][] = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
];

/** With `GROUP BY ExecutionStatus`, one group per status present, its value a JSON payload ("Running"), as the server does. */
export function countExecutions(
  ns: Namespace,
  req: Plain<temporal.api.workflowservice.v1.ICountWorkflowExecutionsRequest>,
): Plain<temporal.api.workflowservice.v1.ICountWorkflowExecutionsResponse> {
  const { runs, groupBy } = matching(ns, req.query);
  if (!groupBy) return { count: runs.length };
  const counts = new Map<Run['status'], number>();
  for (const run of runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  const groups = STATUS_ORDER.filter((s) => counts.has(s)).map((s) => ({
    groupValues: [jsonPayload(s)],
    count: counts.get(s),
  }));
  return { count: runs.length, groups };
}
