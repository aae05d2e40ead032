/**
 * How long each workflow task took, from the histories: WorkflowTaskStarted → its
 * Completed/Failed/TimedOut event (the server's clock at both ends). A task over 1 s is a
 * worker busy past its share; a real server times tasks out at 10 s by default. Read after a
 * run, from every workflow the run's task queue saw, so the reading itself is not measured.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { pool } from './common';

export interface WorkflowTaskDurations {
  workflows: number;
  tasks: number;
  over1s: number;
  maxMs: number;
  p99Ms: number;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : NaN;

export async function workflowTaskDurations(address: string, taskQueue: string): Promise<WorkflowTaskDurations> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const runs: { workflowId: string; runId: string }[] = [];
    for await (const w of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
      runs.push({ workflowId: w.workflowId, runId: w.runId });
    const durations: number[] = [];
    await pool(runs, 8, async ({ workflowId, runId }) => {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      // BENCH_HISTORY_DIR=<dir>: the histories of runs with a failed or timed-out task, to replay.
      const troubled = history.events?.some(
        (e) => e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes,
      );
      // Written as the replay tests' recorded histories are (test/helpers/histories.ts), which
      // History.fromObject reads back.
      if (troubled && process.env.BENCH_HISTORY_DIR)
        writeFileSync(path.join(process.env.BENCH_HISTORY_DIR, `${workflowId}-${runId}.json`), JSON.stringify(history));
      const started = new Map<number, number>();
      for (const e of history.events ?? []) {
        const id = Number(e.eventId);
        if (e.workflowTaskStartedEventAttributes) started.set(id, ms(e.eventTime));
        const end =
          e.workflowTaskCompletedEventAttributes ??
          e.workflowTaskFailedEventAttributes ??
          e.workflowTaskTimedOutEventAttributes;
        const from = end ? started.get(Number(end.startedEventId)) : undefined;
        if (from !== undefined) durations.push(ms(e.eventTime) - from);
      }
    });
    durations.sort((a, b) => a - b);
    return {
      workflows: runs.length,
      tasks: durations.length,
      over1s: durations.filter((d) => d > 1000).length,
      maxMs: durations[durations.length - 1] ?? 0,
      p99Ms: durations[Math.max(0, Math.ceil(durations.length * 0.99) - 1)] ?? 0,
    };
  } finally {
    await connection.close();
  }
}

export function describeWorkflowTasks(d: WorkflowTaskDurations): string {
  return `workflow tasks: ${d.tasks} in ${d.workflows} workflows, ${d.over1s} over 1 s, p99 ${d.p99Ms} ms, max ${d.maxMs} ms (from the histories)`;
}
