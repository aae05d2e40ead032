'use strict';
/**
 * Entry of the worker's workflow threads (workflow-threads.ts starts them): the SDK's own thread
 * script, with its stack-trace promise hook left out. The hook is installed when the thread's
 * workflow creator is set up, so it is disabled here, before the SDK's script runs.
 */
const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared');

globalHandlers.setPromiseHook = () => undefined;
require('@temporalio/worker/lib/workflow/workflow-worker-thread');
