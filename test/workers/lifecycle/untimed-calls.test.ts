/**
 * The workflow threads' `vm` timeout (the SDK's deadlock detection) stays on every call into a
 * workflow context that can run workflow code, and is left off `concludeActivation`, which only
 * collects commands: each timed call costs a watchdog thread.
 */
import vm from 'node:vm';
// Plain JavaScript, loaded by the workflow threads before the SDK's own script.
const {
  NO_WORKFLOW_CODE,
  optionsForCall,
  untimeCallsWithoutWorkflowCode,
} = require('../../../workers/lifecycle/untimed-calls');

type Options = vm.RunningScriptOptions | undefined;
const optionsFor = optionsForCall as (context: object, options: Options) => Options;
const calling = (fn: string) => ({ __temporal_args: [{}, fn, []] });
const SDK_OPTIONS = { timeout: 5000, displayErrors: true };

test('concludeActivation is called without the timeout; its other options stay', () => {
  expect(optionsFor(calling('concludeActivation'), SDK_OPTIONS)).toEqual({ displayErrors: true });
  expect(SDK_OPTIONS.timeout).toBe(5000);
});

test.each(['activate', 'tryUnblockConditions', 'initialize', 'initRuntime', 'dispose', 'somethingNew'])(
  '%s keeps the timeout: it can run workflow code, or is not known not to',
  (fn) => {
    expect(NO_WORKFLOW_CODE.has(fn)).toBe(false);
    expect(optionsFor(calling(fn), SDK_OPTIONS)).toBe(SDK_OPTIONS);
  },
);

test('a call that does not follow the SDK convention keeps the timeout', () => {
  expect(optionsFor({}, SDK_OPTIONS)).toBe(SDK_OPTIONS);
  expect(optionsFor({ __temporal_args: 'concludeActivation' }, SDK_OPTIONS)).toBe(SDK_OPTIONS);
  expect(optionsFor(calling('concludeActivation'), undefined)).toBeUndefined();
});

describe('on a real vm.Script', () => {
  // A subclass, so the wrapper does not touch this process's own vm.Script.
  class Script extends vm.Script {}
  untimeCallsWithoutWorkflowCode(Script);

  test('a call that runs workflow code is still interrupted by its timeout', () => {
    const context = vm.createContext(calling('activate'));
    expect(() => new Script('for (;;) {}').runInContext(context, { timeout: 50 })).toThrow(/timed out after 50ms/);
  });

  test('an untimed call runs in its context and returns its value', () => {
    const context = vm.createContext({ ...calling('concludeActivation'), commands: [1, 2] });
    expect(new Script('commands.length').runInContext(context, { timeout: 50 })).toBe(2);
  });
});
