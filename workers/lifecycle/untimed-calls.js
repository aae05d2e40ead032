'use strict';
/**
 * Deadlock detection where workflow code runs, and nowhere else.
 *
 * The SDK calls into a workflow's V8 context several times per workflow task (activate, then
 * tryUnblockConditions until nothing unblocks, then concludeActivation), each time with
 * `isolateExecutionTimeout` as the `vm` timeout. Node arms that timeout by starting a watchdog
 * thread for the call and joining it afterwards: ~0.1 ms of CPU on an idle machine and, on a
 * busy one, a wait for that thread to be scheduled, twice, on the one workflow thread that every
 * run of the worker shares. In the 500-termination benchmark the calls that run no workflow code
 * averaged 0.7–0.9 ms each.
 *
 * `concludeActivation` only collects the commands the workflow already issued (the SDK's own
 * code, no workflow code, no microtasks left to run), so it needs no watchdog. Every call that
 * can run workflow code — activate, tryUnblockConditions (conditions, and the code that resumes
 * after them), initialize, queries — keeps the SDK's timeout. A call this does not recognise
 * keeps it too: an SDK that changes how it calls in loses only the saving.
 */

/** The SDK functions, called into the workflow context, that run no workflow code. */
const NO_WORKFLOW_CODE = new Set(['concludeActivation']);

/** The function the SDK is about to call in `context` (its reusable-context convention), if any. */
function sdkFunctionCalled(context) {
  const args = context && context.__temporal_args;
  return Array.isArray(args) && typeof args[1] === 'string' ? args[1] : undefined;
}

/** `options` without the timeout when the call runs no workflow code; otherwise unchanged. */
function optionsForCall(context, options) {
  if (!options || options.timeout === undefined) return options;
  const fn = sdkFunctionCalled(context);
  if (fn === undefined || !NO_WORKFLOW_CODE.has(fn)) return options;
  const { timeout: _timeout, ...rest } = options;
  return rest;
}

/** Wraps `Script.prototype.runInContext` (of `vm`, in this thread only) with `optionsForCall`. */
function untimeCallsWithoutWorkflowCode(Script) {
  const runInContext = Script.prototype.runInContext;
  Script.prototype.runInContext = function (context, options) {
    return runInContext.call(this, context, optionsForCall(context, options));
  };
}

module.exports = { NO_WORKFLOW_CODE, optionsForCall, untimeCallsWithoutWorkflowCode };
