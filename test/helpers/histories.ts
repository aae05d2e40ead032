/**
 * Recording workflow histories for test/workflows/replay.test.ts: only with
 * JML_RECORD_HISTORIES=1, and only together with a versioning change (patched() or a new
 * workflow type) for the runs already recorded.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';

export const HISTORIES_DIR = path.join(__dirname, '..', 'workflows', 'histories');

/** Writes the workflow's history as `histories/<file>.json` when JML_RECORD_HISTORIES=1; otherwise nothing. */
export async function recordHistory(client: Client, workflowId: string, file: string): Promise<void> {
  if (process.env.JML_RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await writeFile(path.join(HISTORIES_DIR, `${file}.json`), JSON.stringify(history));
}
