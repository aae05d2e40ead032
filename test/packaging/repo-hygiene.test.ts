/**
 * What ships: the production image installs `dependencies` only (`npm ci --omit=dev`), so
 * test-only packages must be devDependencies and product code must not import them; and a
 * local `.env` with real secrets can never be committed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const PRODUCT_DIRS = ['activities', 'bin', 'cli', 'engine', 'lib', 'scim-server', 'workers', 'workflows'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return sources(full);
    return /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

test('test-only packages are devDependencies', () => {
  expect(pkg.devDependencies['@temporalio/testing']).toBeDefined();
  expect(pkg.dependencies['@temporalio/testing']).toBeUndefined();
});

test('product code imports no devDependency', () => {
  const dev = Object.keys(pkg.devDependencies);
  const offenders: string[] = [];
  for (const dir of PRODUCT_DIRS) {
    for (const file of sources(path.join(ROOT, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const name of dev) {
        const imported = new RegExp(
          `(from\\s+|require\\(|import\\()['"]${name.replace(/[/.]/g, '\\$&')}(/[^'"]*)?['"]`,
        );
        if (imported.test(text)) offenders.push(`${path.relative(ROOT, file)} imports ${name}`);
      }
    }
  }
  expect(offenders).toEqual([]);
});

test('.env is ignored by git, .env.example is not', () => {
  const ignored = (file: string) => {
    try {
      execFileSync('git', ['check-ignore', '-q', '--no-index', file], { cwd: ROOT });
      return true;
    } catch {
      return false;
    }
  };
  expect(ignored('.env')).toBe(true);
  expect(ignored('.env.production')).toBe(true);
  expect(ignored('.env.example')).toBe(false);
});
