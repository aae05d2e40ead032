/**
 * The layers import only downwards, and nothing outside the engine imports in a cycle:
 * `lib/` never imports `workflows/`, `activities/` or `workers/`; `activities/` never imports
 * `workflows/`. Read from the source with a plain scan of relative imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const SOURCE_DIRS = ['lib', 'activities', 'workflows', 'workers', 'engine', 'scim-server', 'cli'];
const IMPORT = /^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm;

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return tsFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

const files = new Set(SOURCE_DIRS.flatMap(tsFiles));

function resolveImport(from: string, spec: string): string | undefined {
  const base = path.normalize(path.join(path.dirname(from), spec));
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => files.has(candidate));
}

/** file → its relative imports; `runtimeOnly` leaves out `import type` (erased at run time). */
function imports(runtimeOnly: boolean): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    const targets: string[] = [];
    for (const match of source.matchAll(IMPORT)) {
      if (runtimeOnly && match[1]) continue;
      const target = resolveImport(file, match[2]!);
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

const layer = (file: string) => file.split(path.sep)[0]!;

test('no import climbs back up the layers', () => {
  const climbing: string[] = [];
  for (const [file, targets] of imports(false)) {
    for (const target of targets) {
      const up =
        layer(file) === 'lib'
          ? ['workflows', 'activities', 'workers']
          : layer(file) === 'activities'
            ? ['workflows']
            : [];
      if (up.includes(layer(target))) climbing.push(`${file} → ${target}`);
    }
  }
  expect(climbing).toEqual([]);
});

test('no import cycles outside the engine', () => {
  const graph = imports(true);
  const cycles: string[][] = [];
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  expect(cycles.filter((c) => !c.every((f) => layer(f) === 'engine'))).toEqual([]);
});
