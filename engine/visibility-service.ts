/** List/CountWorkflowExecutions over the engine's runs, newest first unless ORDER BY says otherwise. */
import { invalidArgument } from './errors';
import { executionInfo } from './engine';
import type { Msg } from './proto';
import { decodedSearchAttributes } from './search-attributes';
import type { Namespace, Run } from './state';
import { compileVisibilityQuery, VisibilityQueryError, type SearchAttributeType, type VisibilityRecord } from './visibility';

const TYPE_NAMES: Record<string, SearchAttributeType> = {
  INDEXED_VALUE_TYPE_KEYWORD: 'Keyword',
  INDEXED_VALUE_TYPE_TEXT: 'Text',
  INDEXED_VALUE_TYPE_INT: 'Int',
  INDEXED_VALUE_TYPE_DOUBLE: 'Double',
  INDEXED_VALUE_TYPE_BOOL: 'Bool',
  INDEXED_VALUE_TYPE_DATETIME: 'Datetime',
  INDEXED_VALUE_TYPE_KEYWORD_LIST: 'KeywordList',
};

function record(run: Run): VisibilityRecord {
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
    searchAttributes: decodedSearchAttributes(run),
  };
}

function matching(ns: Namespace, query: string): Run[] {
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
  const pairs = runs.map((run) => ({ run, rec: record(run) })).filter((p) => compiled.matches(p.rec));
  if (compiled.compare) pairs.sort((a, b) => compiled.compare!(a.rec, b.rec));
  else pairs.sort((a, b) => b.run.startMs - a.run.startMs || (a.run.runId < b.run.runId ? -1 : 1));
  return pairs.map((p) => p.run);
}

export function listExecutions(ns: Namespace, req: Msg): Msg {
  const all = matching(ns, req.query as string);
  const from = req.nextPageToken && (req.nextPageToken as Uint8Array).length ? Number(Buffer.from(req.nextPageToken as Uint8Array).toString()) : 0;
  const size = Number(req.pageSize) || 1000;
  const page = all.slice(from, from + size);
  const next = from + page.length;
  return { executions: page.map(executionInfo), nextPageToken: next < all.length ? Buffer.from(String(next)) : undefined };
}

export function countExecutions(ns: Namespace, req: Msg): Msg {
  return { count: matching(ns, req.query as string).length };
}
