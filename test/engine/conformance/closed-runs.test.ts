/**
 * Conformance: what the server does around run boundaries — calls on closed or unknown
 * workflows, signalWithStart after a run closed (how an HR event reaches an employee whose
 * previous workflow finished), and memo and search attributes carried across continue-as-new.
 */
import { randomUUID } from 'node:crypto';
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  TypedSearchAttributes,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const KEYWORD = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);

describe('conformance: closed runs and run boundaries', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ workflowsFile: 'client-api.ts' });
  });

  afterAll(async () => {
    await h?.teardown();
  });

  it('refuses signal, cancel and terminate on a closed workflow with WorkflowNotFoundError', async () => {
    const handle = await h.start('echo', { args: ['done'] });
    await handle.result();
    await expect(handle.signal('add', 'late')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(handle.cancel()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(handle.terminate('late')).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('answers describe, signal and result on an unknown workflow id with WorkflowNotFoundError', async () => {
    const handle = h.env.client.workflow.getHandle(`missing-${randomUUID()}`);
    await expect(handle.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(handle.signal('add', 'x')).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('signalWithStart after the run closed starts a new run that receives the signal', async () => {
    const workflowId = `sws-closed-${randomUUID()}`;
    const opts = { taskQueue: h.taskQueue, workflowId, args: [1], signal: 'add', signalArgs: ['first'] };
    const first = await h.env.client.workflow.signalWithStart('collect', opts);
    await expect(first.result()).resolves.toEqual(['first']);
    const second = await h.env.client.workflow.signalWithStart('collect', { ...opts, signalArgs: ['second'] });
    expect(second.signaledRunId).not.toBe(first.signaledRunId);
    await expect(second.result()).resolves.toEqual(['second']);
    h.track(h.env.client.workflow.getHandle(workflowId, first.signaledRunId));
    h.track(second);
  });

  it('carries memo and search attributes over continue-as-new when the command does not set them', async () => {
    const tag = randomUUID();
    const handle = await h.start('chain', {
      args: [2],
      memo: { employee: 'E-1' },
      typedSearchAttributes: new TypedSearchAttributes([{ key: KEYWORD, value: tag }]),
    });
    const { runs } = (await handle.result()) as { runs: string[] };
    const last = await h.env.client.workflow.getHandle(handle.workflowId, runs[2]).describe();
    expect(last.memo).toEqual({ employee: 'E-1' });
    expect(last.typedSearchAttributes.get(KEYWORD)).toBe(tag);
  });

  it('histories of these workflows replay', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
