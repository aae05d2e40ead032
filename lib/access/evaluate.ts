/**
 * Birthright access: which apps and groups an employee should have under the policy, and which
 * rules said so (for the plan and the audit trail).
 */
import type { ConnectorConfig, PolicyConfig } from '../config/types';
import type { EmployeeRecord } from '../hr/employee';
import { employeeLookup, renderTemplate } from '../mapping/template';
import { matchesAll, matchesAny } from './conditions';

/** One app the employee should have. */
export interface AppAccess {
  app: string;
  /** Group display names in the app (rule template, then the connector's `groups.nameTemplate`). */
  groups: string[];
  /** Names of the rules that granted the app. */
  rules: string[];
  /** Group display name → names of the rules that granted it. */
  groupRules: Record<string, string[]>;
}

/** The whole entitlement of one employee, keyed by connector id. */
export interface AccessPlan {
  apps: Record<string, AppAccess>;
  /** Group names that could not be computed (a placeholder's HR field is empty), for the plan output. */
  unresolvedGroups: { app: string; rule: string; group: string }[];
}

/** The rules that apply to the employee, in policy order. */
export function matchingRules(
  policy: Pick<PolicyConfig, 'access'>,
  employee: EmployeeRecord,
): PolicyConfig['access']['rules'] {
  // A terminated employee keeps nothing, whatever the rules say.
  if (employee.status === 'terminated') return [];
  return policy.access.rules.filter(
    (r) => matchesAll(employee, r.when) && !(r.unless && matchesAny(employee, r.unless)),
  );
}

/**
 * Evaluates every rule. Grants to connectors not in `connectors` are ignored (the loader
 * rejects them); group names are kept only where the connector manages groups.
 */
export function evaluateAccess(
  policy: Pick<PolicyConfig, 'access'>,
  connectors: Record<string, Pick<ConnectorConfig, 'groups'>>,
  employee: EmployeeRecord,
): AccessPlan {
  const plan: AccessPlan = { apps: {}, unresolvedGroups: [] };
  const lookup = employeeLookup(employee);
  for (const rule of matchingRules(policy, employee)) {
    for (const grant of rule.grant) {
      const connector = connectors[grant.app];
      if (!connector) continue;
      const access = (plan.apps[grant.app] ??= { app: grant.app, groups: [], rules: [], groupRules: {} });
      if (!access.rules.includes(rule.name)) access.rules.push(rule.name);
      if (!connector.groups.manage) continue;
      for (const template of grant.groups) {
        const group = renderTemplate(template, lookup);
        if (group === undefined) {
          plan.unresolvedGroups.push({ app: grant.app, rule: rule.name, group: template });
          continue;
        }
        addGroup(access, groupDisplayName(connector, group), rule.name);
      }
    }
  }
  return plan;
}

/** The connector's `groups.nameTemplate` applied to a rule's group name (`eng-{{group}}`). */
export function groupDisplayName(connector: Pick<ConnectorConfig, 'groups'>, group: string): string {
  return renderTemplate(connector.groups.nameTemplate, (name) => (name === 'group' ? group : undefined)) ?? group;
}

function addGroup(access: AppAccess, name: string, rule: string): void {
  if (!access.groups.includes(name)) access.groups.push(name);
  const rules = (access.groupRules[name] ??= []);
  if (!rules.includes(rule)) rules.push(rule);
}
