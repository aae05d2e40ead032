'use strict';
/**
 * Entry of the worker's workflow threads (workflow-threads.ts starts them): the SDK's own thread
 * script, with its stack-trace promise hook left out, and the `vm` timeout (deadlock detection)
 * only on calls that run workflow code (untimed-calls.js). The hook is installed when the
 * thread's workflow creator is set up, so both changes are made here, before the SDK's script
 * runs.
 */
const vm = require('node:vm');
const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared');
const { untimeCallsWithoutWorkflowCode } = require('./untimed-calls');

globalHandlers.setPromiseHook = () => undefined;
untimeCallsWithoutWorkflowCode(vm.Script);
require('@temporalio/worker/lib/workflow/workflow-worker-thread');
