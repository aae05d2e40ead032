/**
 * Tests are TypeScript, compiled by SWC (already a dependency of @temporalio/worker),
 * which is an order of magnitude faster than ts-jest; `npm run typecheck` covers types.
 * @type {import('jest').Config}
 */
const os = require('node:os');

module.exports = {
  // Jest's default is one worker less than the cores, which on a 2-core CI machine runs every
  // suite in band, one after another. The suites mostly wait (on HTTP round trips, on the
  // engine's time skipping, which jumps only while no task or request is in flight): in band
  // the machine sat ~70 % idle and the run took ~34 min; two workers took ~20 min with the
  // same results. At most 4, since every worker runs its own engine, apps and lifecycle worker.
  maxWorkers: Math.min(4, Math.max(2, os.availableParallelism?.() ?? os.cpus().length)),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
};
