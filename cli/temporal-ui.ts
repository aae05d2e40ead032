/**
 * The Temporal UI app in ui/: a SvelteKit single-page app over the pinned @temporalio/ui, with
 * its own package.json and lockfile so its ~280 MB of dependencies stay out of the main
 * `npm ci`. Built once on first use (`jml ui build`, or by `jml dev` when missing), never
 * committed; the engine serves ui/build with the Temporal HTTP API on one origin.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine';
import { startHttpApi } from '../engine/http';
import { UsageError } from './args';

export const UI_DIR = path.resolve(__dirname, '..', 'ui');
export const UI_BUILD_DIR = path.join(UI_DIR, 'build');

/** The @temporalio/ui version pinned in ui/package.json (what the settings report). */
export function pinnedUiVersion(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(UI_DIR, 'package.json'), 'utf8')) as {
      devDependencies?: Record<string, string>;
    };
    return pkg.devDependencies?.['@temporalio/ui'];
  } catch {
    return undefined;
  }
}

function mtime(file: string): number {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

const STAMP = path.join(UI_BUILD_DIR, '.jml-build-stamp');

/** What the build is made from: the lockfile, the configs and the app's sources (not their mtimes, which git rewrites). */
function sourceDigest(): string {
  const hash = createHash('sha256');
  const files = ['package-lock.json', 'svelte.config.js', 'vite.config.js', 'tailwind.config.js', 'postcss.config.js'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(UI_DIR, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  walk('src');
  for (const file of files) {
    hash.update(`${file}\0`);
    if (existsSync(path.join(UI_DIR, file))) hash.update(readFileSync(path.join(UI_DIR, file)));
  }
  return hash.digest('hex');
}

/** Built from the sources and lockfile as they are now (a version bump or an app change needs a rebuild). */
export function isUiBuilt(): boolean {
  if (!existsSync(path.join(UI_BUILD_DIR, 'index.html')) || !existsSync(STAMP)) return false;
  try {
    return readFileSync(STAMP, 'utf8').trim() === sourceDigest();
  } catch {
    return false;
  }
}

function run(command: string, args: string[], cwd: string, out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit code ${code}) in ${cwd}`)),
    );
  });
}

/**
 * Installs ui/'s dependencies from its lockfile when they are missing or stale, then builds.
 * Progress goes to `out` (the build takes a minute or two; the install ~280 MB).
 */
export async function buildUi(out: NodeJS.WritableStream = process.stderr): Promise<string> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const installed = path.join(UI_DIR, 'node_modules', '.package-lock.json');
  if (mtime(installed) < mtime(path.join(UI_DIR, 'package-lock.json'))) {
    out.write('Temporal UI: installing its dependencies (npm ci in ui/, ~280 MB, once)…\n');
    // Everything in ui/ is a build-time dependency: --include=dev even under NODE_ENV=production.
    await run(npm, ['ci', '--include=dev', '--no-audit', '--no-fund', '--loglevel=error'], UI_DIR, out);
  }
  out.write('Temporal UI: building (vite build in ui/, a minute or two, once)…\n');
  const digest = sourceDigest();
  await run(
    process.execPath,
    [path.join(UI_DIR, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    UI_DIR,
    out,
  );
  writeFileSync(STAMP, `${digest}\n`);
  out.write(`Temporal UI: built into ${path.relative(process.cwd(), UI_BUILD_DIR) || UI_BUILD_DIR}\n`);
  return UI_BUILD_DIR;
}

export interface ServedUi {
  url: string;
  /** False when only the /api/v1 routes are served (the UI is not built). */
  withUi: boolean;
  close(): Promise<void>;
}

/**
 * Serves the Temporal UI (when built) and the engine's /api/v1 routes on one port. A busy port
 * is a clear error naming the option to change, not a stack trace.
 */
export async function serveTemporalUi(options: {
  engine: Engine;
  host: string;
  port: number;
  namespace: string;
  option: string;
}): Promise<ServedUi> {
  const withUi = isUiBuilt();
  try {
    const http = await startHttpApi({
      engine: options.engine,
      host: options.host,
      port: options.port,
      defaultNamespace: options.namespace,
      uiDir: withUi ? UI_BUILD_DIR : undefined,
      uiVersion: pinnedUiVersion(),
    });
    return { url: http.url, withUi, close: () => http.close() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${options.port} for the Temporal UI is in use (another jml dev, jml engine or temporal server?): choose another with ${options.option} <port> (0 = any free port)`,
      );
    }
    throw err;
  }
}
