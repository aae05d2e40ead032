/** The worker's heap settings: which setting wins, which node flags count, what reaches a new thread. */
import { Worker } from 'node:worker_threads';
import v8 from 'node:v8';
import {
  applyHeapSettings,
  DEFAULT_HEAP_GROWING_PERCENT,
  DEFAULT_SEMI_SPACE_MB,
  heapGrowingPercent,
  nodeFlags,
  semiSpaceMb,
} from '../../../workers/lifecycle/heap';

describe('heapGrowingPercent', () => {
  test('the default when nothing is set', () => {
    expect(heapGrowingPercent(undefined, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercent(undefined, ['--max-old-space-size=512', '--require', 'x.js'])).toBe(
      DEFAULT_HEAP_GROWING_PERCENT,
    );
  });

  test('an explicit setting wins, 0 leaves V8 its own factor', () => {
    expect(heapGrowingPercent(35, [])).toBe(35);
    expect(heapGrowingPercent(35, ['--heap-growing-percent=10'])).toBe(35);
    expect(heapGrowingPercent(0, [])).toBeUndefined();
  });

  test('a node flag the operator gave is left alone (either spelling)', () => {
    expect(heapGrowingPercent(undefined, ['--heap-growing-percent=35'])).toBeUndefined();
    expect(heapGrowingPercent(undefined, ['--heap_growing_percent=35'])).toBeUndefined();
    expect(heapGrowingPercent(undefined, ['--heap-growing-percentage-typo'])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
  });
});

describe('semiSpaceMb', () => {
  test('the default when nothing is set; an explicit setting wins; 0 leaves V8 its own', () => {
    expect(semiSpaceMb(undefined, ['--heap-growing-percent=35'])).toBe(DEFAULT_SEMI_SPACE_MB);
    expect(semiSpaceMb(8, ['--max-semi-space-size=2'])).toBe(8);
    expect(semiSpaceMb(0, [])).toBeUndefined();
  });

  test('a node flag the operator gave is left alone (either spelling)', () => {
    expect(semiSpaceMb(undefined, ['--max-semi-space-size=2'])).toBeUndefined();
    expect(semiSpaceMb(undefined, ['--max_semi_space_size', '2'])).toBeUndefined();
    expect(semiSpaceMb(undefined, ['--max-semi-space-sizes=2'])).toBe(DEFAULT_SEMI_SPACE_MB);
  });
});

/** The new space a fresh thread's heap reaches once it allocates far more than it can hold (MiB). */
function threadNewSpaceMb(): Promise<number> {
  const script = `
    const v8 = require('node:v8');
    const keep = [];
    for (let i = 0; i < 2e6; i++) keep.push({ i });
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    require('node:worker_threads').parentPort.postMessage(space.space_size / 1048576);`;
  return new Promise((resolve, reject) => {
    const thread = new Worker(script, { eval: true });
    thread.once('message', (mb: number) => void thread.terminate().then(() => resolve(mb)));
    thread.once('error', reject);
  });
}

test('applyHeapSettings sets the semi-space of the threads started after it, and says what it set', async () => {
  const before = await threadNewSpaceMb();
  try {
    expect(applyHeapSettings({ growingPercent: 0, semiSpaceMb: 2 }, [])).toEqual({
      growingPercent: undefined,
      semiSpaceMb: 2,
    });
    // Two semi-spaces of 2 MiB: the thread's new space stops at 4.
    expect(await threadNewSpaceMb()).toBe(4);
    expect(before).toBeGreaterThan(4);
  } finally {
    // 0 is V8's own size again, for the threads of the tests after this one in the process.
    v8.setFlagsFromString('--max-semi-space-size=0');
  }
});

test('nodeFlags reads the command line and NODE_OPTIONS', () => {
  expect(nodeFlags({ NODE_OPTIONS: ' --heap-growing-percent=30  --enable-source-maps ' }, ['--cpu-prof'])).toEqual([
    '--cpu-prof',
    '--heap-growing-percent=30',
    '--enable-source-maps',
  ]);
  expect(nodeFlags({}, [])).toEqual([]);
});
