/**
 * Conformance soak: many concurrent workflows whose signals race their activity completions
 * (some activities fail once and are retried). A seeded generator makes two runs identical in
 * input; both must produce exactly the results computed locally — a lost, duplicated or
 * misrouted signal or activity result shows up as a difference.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { startHarness, uniqueId, type Harness } from './harness';
import type { SoakPlan, SoakResult } from './workflows/soak';

jest.setTimeout(120_000);

const WORKFLOWS = 100;
const SEED = 20261122;

/** mulberry32: a tiny seeded PRNG, so every run draws the same plans. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  plan: SoakPlan;
  signalValues: number[];
  signalDelaysMs: number[];
}

function drawCases(seed: number): Case[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  return Array.from({ length: WORKFLOWS }, () => {
    const steps = Array.from({ length: 1 + int(4) }, () => int(100));
    const signalValues = Array.from({ length: int(5) }, () => int(1000));
    return {
      plan: { steps, signals: signalValues.length },
      signalValues,
      signalDelaysMs: signalValues.map(() => int(15)),
    };
  });
}

const square = (x: number) => x * x;

function expected(c: Case): SoakResult {
  const steps = c.plan.steps.map(square);
  const signals = [...c.signalValues].sort((a, b) => a - b);
  return { steps, signals, total: [...steps, ...signals].reduce((a, b) => a + b, 0) };
}

const activities = {
  async soakStep(x: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, x % 7));
    // Every fourth value fails its first attempt, so retries race the signals too.
    if (x % 4 === 0 && Context.current().info.attempt === 1)
      throw ApplicationFailure.retryable('first attempt fails', 'Transient');
    return square(x);
  },
};

describe('conformance: randomized soak', () => {
  let h: Harness;

  beforeAll(async () => {
    // Real time: the time-skipping client's result() unlocks/locks a counted lock per call, and a
    // hundred concurrent result() calls unbalance it (the Java test server refuses the same way).
    h = await startHarness({
      workflowsFile: 'soak.ts',
      activities,
      timeSkipping: false,
      worker: { maxConcurrentActivityTaskExecutions: 50 },
    });
  });

  afterAll(async () => {
    await h?.teardown();
  });

  async function runOnce(cases: Case[]): Promise<SoakResult[]> {
    return Promise.all(
      cases.map(async (c) => {
        const handle = await h.env.client.workflow.start('soak', {
          taskQueue: h.taskQueue,
          workflowId: uniqueId('soak'),
          args: [c.plan],
        });
        h.track(handle);
        const signals = c.signalValues.map(
          (v, i) =>
            new Promise<void>((resolve, reject) =>
              setTimeout(() => handle.signal('value', v).then(resolve, reject), c.signalDelaysMs[i]),
            ),
        );
        await Promise.all(signals);
        return (await handle.result()) as SoakResult;
      }),
    );
  }

  it(`${WORKFLOWS} workflows give the same, correct results in two runs with the same seed`, async () => {
    const first = await runOnce(drawCases(SEED));
    const second = await runOnce(drawCases(SEED));
    const want = drawCases(SEED).map(expected);
    expect(first).toEqual(want);
    expect(second).toEqual(first);
  });

  it('histories of the soak workflows replay (signals interleaved with activity results)', async () => {
    await expect(h.replayTracked()).resolves.toEqual({});
  });
});
