/** The campaign report as a list of sentences, one per failed check (empty when all passed). */
import type { CampaignReport } from './campaign';

export function failures(r: CampaignReport): string[] {
  const out: string[] = [];
  if (!r.converged)
    out.push(`${r.unconverged.length} people never reached HR truth: ${r.unconverged.slice(0, 10).join(', ')}`);
  for (const [check, list] of Object.entries(r.verdict))
    if (list.length) out.push(`${check}: ${list.length} (${list.slice(0, 10).join(', ')})`);
  for (const b of r.badInput.filter((x) => !x.ok))
    out.push(`bad input "${b.name}": got ${b.status} ${b.code ?? ''}, expected ${b.expected}: ${b.detail}`);
  if (r.badInputStartedWorkflows.length)
    out.push(`malformed webhooks started workflows: ${r.badInputStartedWorkflows.join(', ')}`);
  if (r.sla.unalerted.length) out.push(`SLA breaches recorded but not alerted: ${r.sla.unalerted.join(', ')}`);
  if (r.sla.unrecorded.length) out.push(`SLA breaches alerted but not recorded: ${r.sla.unrecorded.join(', ')}`);
  if (r.sla.unflagged.length) out.push(`SLA breaches recorded but SlaBreached not set: ${r.sla.unflagged.join(', ')}`);
  const unexplained = r.recheckCaught.filter((c) => c.lateWrites.length === 0).map((c) => c.key);
  if (unexplained.length)
    out.push(`recheck found accounts active again that no late write explains: ${unexplained.join(', ')}`);
  if (!r.chain.ok) out.push(`audit chain: ${r.chain.problems} problems`);
  if (r.secretLeaks.length) out.push(`secrets in ${r.secretLeaks.length} log lines, e.g. ${r.secretLeaks[0]}`);
  return out;
}
