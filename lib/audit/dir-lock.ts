/**
 * One process per PGlite directory. The lock file holds the owner's pid and host; a lock whose
 * process is gone (crash, kill -9) is stale and taken over, a live one refuses the second opener
 * with a message that says how to read the store instead.
 */
import { hostname } from 'node:os';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'jml.lock';

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
  constructor(
    readonly dir: string,
    readonly pid: number,
    readonly command: string,
  ) {
    super(
      `the audit store in ${dir} is in use by process ${pid}${command ? ` (${command})` : ''}: PGlite serves one process at a time. ` +
        'Read it through the running API (GET /v1/employees/<id>/timeline, /console), or stop that process first; ' +
        'a shared PostgreSQL store (DATABASE_URL) can be read by any number of processes.',
    );
  }
}

interface LockContent {
  pid: number;
  host: string;
  command: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

/** Lock files this process holds: a lock with our pid that is not here is a previous incarnation's (containers reuse pids). */
const held = new Set<string>();

/** Lets a writer that is between creating and filling the file finish. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function acquireDirectoryLock(dir: string): { release(): void } {
  const file = path.resolve(dir, LOCK_FILE);
  const mine: LockContent = {
    pid: process.pid,
    host: hostname(),
    command: process.argv.slice(2, 3).join(' '),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = readLock(file);
      if (!holder) {
        pause(100);
        holder = readLock(file);
      }
      if (held.has(file)) throw new DirectoryLockedError(dir, process.pid, 'this process');
      // Another host (a shared volume) cannot be checked: refuse rather than guess.
      if (holder && holder.pid !== process.pid && (holder.host !== mine.host || alive(holder.pid))) {
        throw new DirectoryLockedError(dir, holder.pid, holder.command ? `jml ${holder.command}` : '');
      }
      // Stale (its process is gone, or it was ours in an earlier life) or never filled: take it over.
      try {
        unlinkSync(file);
      } catch {
        /* another opener removed it first; try again */
      }
      continue;
    }
    writeSync(fd, JSON.stringify(mine));
    closeSync(fd);
    held.add(file);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held.delete(file);
      process.off('exit', release);
      if (readLock(file)?.pid === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      }
    };
    process.on('exit', release);
    return { release };
  }
  throw new Error(`could not take the lock ${file}: another process keeps replacing it`);
}
