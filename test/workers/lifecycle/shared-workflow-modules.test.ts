/**
 * The workflow modules are evaluated once per workflow thread and shared by every run (the
 * bundle preloads them), so none of them may keep state at module scope: a `let` or `var`
 * there would be one value for every run in the thread — shared, and replayed differently
 * depending on which runs happen to be cached. Everything a run owns lives in its workflow
 * function. Read from the bundle itself, so a module added to the graph later is checked too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { lifecycleWorkflowBundle } from '../../../workers/lifecycle';

const ROOT = path.join(__dirname, '..', '..', '..');

/** Module ids webpack gives our own sources in the bundle: `./workflows/…ts`, `./lib/…ts`. */
function ownModules(code: string): string[] {
  const ids = [...code.matchAll(/^\/\*\*\*\/ "(\.\/(?!node_modules\/)[^"]+\.ts)"$/gm)].map((m) => m[1]!);
  return [...new Set(ids)].sort();
}

/** `let`/`var` declarations at the top level of a source file, as `file:line name`. */
function moduleScopeVariables(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    if ((list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === ts.NodeFlags.Const) continue;
    for (const d of list.declarations) {
      const line = source.getLineAndCharacterOfPosition(d.getStart()).line + 1;
      found.push(`${file}:${line} ${d.name.getText()}`);
    }
  }
  return found;
}

let code: string;
beforeAll(async () => {
  code = (await lifecycleWorkflowBundle()).code;
}, 120_000);

test('the bundle evaluates the workflow modules once, before any run, for every run to share', () => {
  const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code);
  expect(preload?.[1]).toContain('"./workflows/index.ts"');
});

test('no shared workflow module keeps state in a module-scope let or var', () => {
  const modules = ownModules(code);
  // The graph the workflows import: the employee workflow and the lib modules it uses at least.
  expect(modules).toEqual(expect.arrayContaining(['./workflows/employee/workflow.ts', './lib/temporal/contract.ts']));
  expect(modules.flatMap((id) => moduleScopeVariables(id.slice(2)))).toEqual([]);
});

test('the check finds a module-scope let (it is not vacuous)', () => {
  // The worker's module (not bundled) keeps its bundle in one: the check must see it.
  const found = moduleScopeVariables('workers/lifecycle/worker.ts');
  expect(found).toEqual([expect.stringMatching(/^workers\/lifecycle\/worker\.ts:\d+ cachedBundle$/)]);
});
