/**
 * GetWorkflowExecutionHistoryReverse: the newest events first, paged backwards. The Temporal
 * UI reads a workflow's history this way by default (newest at the top).
 */
import type { temporal } from '@temporalio/proto';
import type { EncodedEvent, Plain, WithHistory } from './proto';
import type { Run } from './state';

const DEFAULT_PAGE = 1000;

/** The token holds the id of the next (older) event to return, counting down. */
function readToken(bytes: Uint8Array | undefined): number | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString()) as { before?: unknown };
    return typeof parsed.before === 'number' ? parsed.before : undefined;
  } catch {
    return undefined;
  }
}

export function readHistoryReverse(
  run: Run,
  req: Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseRequest>,
): WithHistory<Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseResponse>> {
  // Exclusive upper bound (an index into events): everything below it is still to be sent.
  const before = Math.min(readToken(req.nextPageToken) ?? run.events.length, run.events.length);
  const size = Number(req.maximumPageSize) || DEFAULT_PAGE;
  const from = Math.max(0, before - size);
  const events: EncodedEvent[] = run.events.slice(from, before).reverse();
  return { history: { events }, nextPageToken: from > 0 ? Buffer.from(JSON.stringify({ before: from })) : undefined };
}
