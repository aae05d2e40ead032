/**
 * Operator commands that read or change a workflow (`jml app`, `jml employee`) wait for a
 * worker: queries and Updates are answered in a workflow task, which only a running worker
 * polling the workflow's task queue takes. With none running they would wait forever, so each
 * command gives up after a deadline and says what to check instead.
 */
import type { Client } from '@temporalio/client';
import { TemporalDeadlineError, withinDeadline } from '../lib/temporal/deadline';

/** @default 30 s; `JML_CLI_ANSWER_TIMEOUT_MS` overrides it. */
export function answerTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const set = Number(env.JML_CLI_ANSWER_TIMEOUT_MS);
  return Number.isFinite(set) && set > 0 ? set : 30_000;
}

/** Runs `work` under the answer deadline; past it, TemporalDeadlineError (cli/main.ts prints `noAnswer`). */
export function withAnswerDeadline<T>(client: Client, what: string, work: (client: Client) => Promise<T>): Promise<T> {
  return withinDeadline(client, answerTimeoutMs(), work, what);
}

/** The one line printed for a command that got no answer in time. */
export function noAnswer(err: TemporalDeadlineError): string {
  return (
    `${err.message}: workflows answer only while a worker runs (\`jml worker\` or \`jml dev\`) on their task queue — ` +
    'is one running? A change sent meanwhile (pause, resume, approve, hold, retry…) may still be applied when ' +
    'one starts: check with the status command before sending it again'
  );
}
