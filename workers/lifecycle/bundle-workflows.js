'use strict';
/**
 * Child process of `lifecycleWorkflowBundle`: bundles the workflows and sends the code to its
 * parent over IPC, then exits. Webpack, its loaders and their caches (~35 MiB of live heap
 * once a bundle is built) stay in this short-lived process instead of the worker's heap.
 *
 *   node bundle-workflows.js <workflowsPath>
 */
const { bundleWorkflowCode } = require('@temporalio/worker');

const workflowsPath = process.argv[2];
const quiet = () => undefined;
const logger = {
  log: quiet,
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: (message, meta) => console.warn(message, meta ?? ''),
  error: (message, meta) => console.error(message, meta ?? ''),
};

bundleWorkflowCode({
  workflowsPath,
  // The workflow modules are evaluated once per workflow thread and shared by every run,
  // instead of once per run (the SDK's default in a reused V8 context): see worker.ts.
  preloadModules: [workflowsPath],
  logger,
}).then(
  (bundle) => process.send({ code: bundle.code, sourceMap: bundle.sourceMap }, () => process.exit(0)),
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  },
);
