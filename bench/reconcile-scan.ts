/**
 * The reconciling process of `npm run bench -- reconcile`, on its own so its memory is its own:
 * one `reconcile()` of one app (every user and group page through the real SCIM client and its
 * rate limiter, then the comparison with the people), report only. Prints one JSON line.
 *
 *   node bench/reconcile-scan.ts <configDir> <people.json> <app>   (through the TypeScript hook)
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { reconcile, type PersonRecord } from '../lib/reconcile';
import { ScimClients } from '../lib/scim';
import { cpuSeconds, peakRssMiB } from './processes';

async function main(): Promise<void> {
  const [configDir, peopleFile, app] = process.argv.slice(2);
  if (!configDir || !peopleFile || !app) throw new Error('usage: reconcile-scan <configDir> <people.json> <app>');
  const config = await loadConfig(configDir);
  const people = JSON.parse(readFileSync(peopleFile, 'utf8')) as PersonRecord[];
  const scim = new ScimClients({ logger: createLogger({ level: 'silent' }) });
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  // Sampled: the heap's high-water mark is what a reconciliation of this size needs held at once.
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  const cpu0 = cpuSeconds('self') ?? 0;
  const t0 = performance.now();
  const report = await reconcile({ config, scim, people, apps: [app] });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  await scim.close();
  const result = report.apps[0]!;
  const findings: Record<string, number> = {};
  for (const f of result.findings) findings[f.kind] = (findings[f.kind] ?? 0) + 1;
  console.log(
    JSON.stringify({
      ms: Math.round(ms),
      scanned: result.scanned,
      error: result.error,
      findings,
      cpuSeconds: Number(((cpuSeconds('self') ?? 0) - cpu0).toFixed(1)),
      heapBeforeMiB: mib(before.heapUsed),
      rssBeforeMiB: mib(before.rss),
      peakHeapMiB: mib(peakHeap),
      peakRssMiB: peakRssMiB('self'),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
