/**
 * Start-up shared by the long-running commands (`jml worker`, `jml api`, `jml dev`): the config
 * is validated before anything connects, and a bad file stops the process with every problem
 * (file:line:col, path, fix) instead of failing later inside an activity.
 */
import { resolve } from 'node:path';
import { checkConfigDir, defaultConfigDir, formatConfigIssue } from '../lib/config';
import type { LoadedConfig } from '../lib/config/types';

/** The loaded config, or `undefined` after printing every problem to stderr. */
export async function loadConfigForStartup(
  dirOption: string | undefined,
  command: string,
): Promise<LoadedConfig | undefined> {
  const dir = dirOption !== undefined ? resolve(dirOption) : defaultConfigDir();
  const { config, issues } = await checkConfigDir(dir);
  if (config) return config;
  for (const issue of issues) console.error(formatConfigIssue(issue));
  console.error(
    `\njml ${command}: not starting — ${dir} has ${issues.length === 1 ? '1 problem' : `${issues.length} problems`}; fix them (jml validate checks again).`,
  );
  return undefined;
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C, `docker stop`). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolveSignal(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
