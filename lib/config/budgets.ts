/**
 * Shared rate-limit budgets. Connectors naming the same `rateLimit.budget` draw from one token
 * bucket (Slack's limits, for instance, are org-wide across all SCIM apps), so the bucket
 * needs one set of numbers. Design: any connector of the budget may state
 * `requestsPerSecond`/`burst`; all that state them must agree; the others inherit them.
 * Defining the budget once is therefore enough, and a contradiction is an error rather than a
 * silent "last file wins".
 */
import type { ConnectorFile } from './connector-schema';
import type { ConnectorConfig } from './types';

/** A valid connector taking part in budget reconciliation. */
export interface BudgetMember {
  file: ConnectorFile;
  resolved: ConnectorConfig;
  /** Reports at a path of this member's file. */
  report: (path: (string | number)[], message: string) => void;
}

/** Checks agreement and makes every member carry the budget's numbers. */
export function reconcileBudgets(members: BudgetMember[]): void {
  const byBudget = new Map<string, BudgetMember[]>();
  for (const m of members) {
    const budget = m.resolved.rateLimit.budget;
    if (budget) byBudget.set(budget, [...(byBudget.get(budget) ?? []), m]);
  }
  for (const [budget, group] of byBudget) {
    for (const key of ['requestsPerSecond', 'burst'] as const) {
      const definers = group.filter((m) => m.file.rateLimit?.[key] !== undefined);
      const first = definers[0];
      if (!first) {
        // No burst stated anywhere: derive it from the (now agreed) rate, as for a lone connector.
        if (key === 'burst')
          for (const m of group)
            m.resolved.rateLimit.burst = Math.max(1, Math.ceil(m.resolved.rateLimit.requestsPerSecond));
        continue;
      }
      const value = first.resolved.rateLimit[key];
      for (const other of definers.slice(1)) {
        if (other.resolved.rateLimit[key] !== value) {
          other.report(
            ['rateLimit', key],
            `budget "${budget}" has ${key} ${value} in ${first.resolved.sourceFile}; connectors sharing a budget must agree (or state it in one file only)`,
          );
        }
      }
      for (const m of group) m.resolved.rateLimit[key] = value;
    }
  }
}
