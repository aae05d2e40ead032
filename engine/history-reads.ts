/**
 * GetWorkflowExecutionHistory: paging, the long poll for new events (`wait_new_event`), and
 * the close-event filter `handle.result()` uses (answer only once the run is closed).
 */
import type { temporal } from '@temporalio/proto';
import type { EncodedEvent, Plain, WithHistory } from './proto';
import { isOpen, type Run } from './state';

const LONG_POLL_MS = 20_000;
const DEFAULT_PAGE = 1000;

interface PageToken {
  next: number;
}

function readToken(bytes: Uint8Array | undefined): PageToken | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString()) as PageToken;
  } catch {
    return undefined;
  }
}

function token(next: number): Buffer {
  return Buffer.from(JSON.stringify({ next }));
}

/**
 * Resolves once `done()` holds after an event was appended, when the engine stops, when the
 * call is cancelled, or after the long-poll interval (the caller then answers "nothing yet").
 */
function waitFor(run: Run, cancelled: (onCancel: () => void) => void, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      run.waiters.delete(wake);
      clearTimeout(timer);
      resolve();
    };
    const wake = (stopping?: boolean) => {
      if (stopping || done()) finish();
    };
    const timer = setTimeout(finish, LONG_POLL_MS);
    timer.unref?.();
    run.waiters.add(wake);
    cancelled(finish);
  });
}

export async function readHistory(
  run: Run,
  req: Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest>,
  cancelled: (onCancel: () => void) => void,
): Promise<WithHistory<Plain<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse>>> {
  const closeOnly = req.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT';
  if (closeOnly) {
    // As on the server, the close-event long poll (`handle.result()`) answers when the run
    // closes, not at every event: one call per wait instead of one per event.
    if (isOpen(run) && req.waitNewEvent) await waitFor(run, cancelled, () => !isOpen(run));
    if (isOpen(run)) return { history: { events: [] }, nextPageToken: token(0) };
    return { history: { events: [run.events[run.events.length - 1]] } };
  }
  const from = readToken(req.nextPageToken)?.next ?? 0;
  if (req.waitNewEvent && from >= run.events.length && isOpen(run)) await waitFor(run, cancelled, () => true);
  const size = Number(req.maximumPageSize) || DEFAULT_PAGE;
  const events: EncodedEvent[] = run.events.slice(from, from + size);
  const next = from + events.length;
  // More to read now, or (long-polling an open run) more to come.
  const more = next < run.events.length || (req.waitNewEvent === true && isOpen(run));
  return { history: { events }, nextPageToken: more ? token(next) : undefined };
}
