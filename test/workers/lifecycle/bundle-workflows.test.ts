/**
 * The workflows are bundled in a short-lived child process: a bundle that fails to build rejects
 * with the path and webpack's report (never a hang, never a worker that starts without its
 * workflows), and the child is gone either way.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleInChild } from '../../../workers/lifecycle/worker';

jest.setTimeout(60_000);

const dir = mkdtempSync(path.join(os.tmpdir(), 'jml-bundle-'));
// The SDK's workflow runtime resolves from the project's packages, as it does for workflows/.
symlinkSync(path.join(__dirname, '..', '..', '..', 'node_modules'), path.join(dir, 'node_modules'), 'dir');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a workflow module that imports what does not exist fails the bundle, naming the path and the module', async () => {
  const file = path.join(dir, 'broken.ts');
  writeFileSync(
    file,
    "import { nothing } from './not-there';\nexport async function broken() {\n  return nothing;\n}\n",
  );
  const err = (await bundleInChild(file).catch((e: unknown) => e)) as Error;
  expect(err).toBeInstanceOf(Error);
  expect(err.message).toContain(`bundling the workflows (${file}) failed:`);
  expect(err.message).toContain("Can't resolve './not-there'");
});

test('a module that builds comes back as code the worker can load', async () => {
  const file = path.join(dir, 'fine.ts');
  writeFileSync(file, 'export async function fine(): Promise<string> {\n  return "fine";\n}\n');
  const bundle = await bundleInChild(file);
  expect(bundle.code).toContain('function fine');
});
