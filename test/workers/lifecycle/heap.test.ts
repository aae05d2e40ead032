/** The worker's heap growing factor: which setting wins, and which node flags count. */
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent, nodeFlags } from '../../../workers/lifecycle/heap';

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

test('nodeFlags reads the command line and NODE_OPTIONS', () => {
  expect(nodeFlags({ NODE_OPTIONS: ' --heap-growing-percent=30  --enable-source-maps ' }, ['--cpu-prof'])).toEqual([
    '--cpu-prof',
    '--heap-growing-percent=30',
    '--enable-source-maps',
  ]);
  expect(nodeFlags({}, [])).toEqual([]);
});
