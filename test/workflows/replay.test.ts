/**
 * Replays recorded histories of every workflow type against the current workflow code: a change
 * that would break running workflows (a reordered activity, a removed timer) fails here, in CI,
 * instead of in production. Refresh with JML_RECORD_HISTORIES=1 (see lifecycle.test.ts) only
 * together with a versioning strategy (patched() or a new workflow type) for running workflows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { lifecycleWorkflowBundle } from '../../workers/lifecycle';

jest.setTimeout(60_000);

const dir = path.join(__dirname, 'histories');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('there is a recorded history for every workflow type', () => {
  const types = new Set(files.map((f) => f.split('-')[0]));
  expect([...types].sort()).toEqual(['app', 'deletion', 'employee', 'joiner', 'leaver', 'mass', 'mover', 'rehire']);
});

test.each(files)('%s replays deterministically', async (file) => {
  const history = temporal.api.history.v1.History.fromObject(
    JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>,
  );
  // The recorded workflow id, where the history has it: a workflow that uses its own id (the
  // mass-change guard's requesters name their requests after it) replays as it ran.
  const recordedId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  await Worker.runReplayHistory(
    { workflowBundle: await lifecycleWorkflowBundle() },
    history,
    recordedId || path.basename(file, '.json'),
  );
});
