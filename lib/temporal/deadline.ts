/**
 * Deadlines on calls to Temporal. Two things can keep a call waiting: the client retries an
 * unreachable frontend on its own, and the server holds a query (or an Update) until a worker
 * answers it in a workflow task — which never comes when no worker polls the workflow's task
 * queue (none is running, or the only one is shutting down). A process that waits for such a
 * call without a deadline hangs with it: an activity, and the worker's shutdown behind it.
 */
import { isGrpcDeadlineError, type Client } from '@temporalio/client';

/** The call did not answer in time; it may still be held by the server (it is abandoned). */
export class TemporalDeadlineError extends Error {
  override name = 'TemporalDeadlineError';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`}`);
  }
}

/**
 * Stops waiting for `promise` after `ms` (rejecting with TemporalDeadlineError). The promise
 * itself carries on; its later failure is swallowed. The timer never keeps the process alive.
 */
export function stopWaitingAfter<T>(promise: Promise<T>, ms: number, what = 'Temporal call'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalDeadlineError(what, ms)), ms);
    timer.unref();
  });
  promise.catch(() => undefined); // settles after we stopped waiting
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `work` with every Temporal call it makes under a gRPC deadline `ms` from now (so the
 * client's own retries stop there and a held query is cancelled at the server), and stops
 * waiting then whatever happens (a little later, so the call's own deadline error wins). Either
 * way a call past its deadline rejects with TemporalDeadlineError.
 */
export function withinDeadline<T>(
  client: Client,
  ms: number,
  work: (client: Client) => Promise<T>,
  what = 'Temporal call',
): Promise<T> {
  const calls = client
    .withDeadline(Date.now() + ms, () => work(client))
    .catch((err: unknown) => {
      throw isGrpcDeadlineError(err) ? new TemporalDeadlineError(what, ms) : err;
    });
  return stopWaitingAfter(calls, ms + 250, what);
}
