/**
 * The console's note on held apps: every app that is paused (by whom, why, since) or
 * quarantined (why, since, the next probe), above the lifecycle runs — a joiner that waits there
 * is explained before anyone opens a person. Read from the `app-<name>` workflows; best effort:
 * the page renders without it when Temporal does not answer.
 */
import { escapeHtml } from '../../../lib/audit';
import type { AppHealth } from '../../../lib/temporal/contract';

/** Where the console reads the apps' health (the API's Temporal client). */
export type AppHealthSource = () => Promise<AppHealth[]>;

const READ_TIMEOUT_MS = 3_000;

/** The section's HTML: empty while every app is active. */
export async function heldAppsSection(source: AppHealthSource | undefined): Promise<string> {
  if (!source) return '';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS);
    timer.unref();
  });
  const apps = await Promise.race([source().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
  if (!apps)
    return '<p id="held-apps" class="status warn">The apps’ health could not be read (Temporal did not answer).</p>';
  return renderHeldApps(apps);
}

export function renderHeldApps(apps: AppHealth[]): string {
  const held = apps.filter((a) => a.state !== 'active');
  if (held.length === 0) return '';
  const e = escapeHtml;
  const t = (ms?: number) => (ms === undefined ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));
  const rows = held
    .map((a) => {
      const since = a.paused?.sinceMs ?? a.quarantine?.sinceMs;
      const why = a.paused ? `${a.paused.reason} (by ${a.paused.by})` : (a.quarantine?.reason ?? '');
      const next = a.quarantine?.nextProbeAtMs
        ? `next probe ${t(a.quarantine.nextProbeAtMs)}`
        : a.state === 'paused'
          ? `until jml app resume ${a.app}`
          : '';
      return `<tr data-app="${e(a.app)}" data-state="${e(a.state)}"><td>${e(a.app)}</td><td><span class="status bad">${e(a.state)}</span></td><td>${e(t(since))}</td><td>${e(why)}</td><td>${e(next)}</td></tr>`;
    })
    .join('');
  return `<section id="held-apps"><h2>Paused and quarantined apps</h2><p>Joiner/mover writes and deletions for these apps wait; leavers are still deactivated.</p><table><thead><tr><th>App</th><th>State</th><th>Since</th><th>Why</th><th>Until</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
