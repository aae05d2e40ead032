import { join } from 'node:path';
import { diffAccess, evaluateAccess, isEmptyAccessDiff, type AccessPlan } from '../../../lib/access';
import { loadConfig } from '../../../lib/config';
import type { ConnectorConfig, PolicyConfig } from '../../../lib/config/types';
import type { EmployeeRecord } from '../../../lib/hr/employee';

const groups = (manage: boolean, nameTemplate = '{{group}}'): Pick<ConnectorConfig, 'groups'> => ({
  groups: { manage, create: false, nameTemplate },
});

const connectors = { slack: groups(true), github: groups(true, 'eng-{{group}}'), canva: groups(false) };

const policy: Pick<PolicyConfig, 'access'> = {
  access: {
    rules: [
      { name: 'everyone', when: {}, grant: [{ app: 'slack', groups: ['all-staff'] }] },
      {
        name: 'engineering',
        when: { department: ['Engineering', 'Platform'] },
        unless: { employmentType: ['CONTRACTOR'], 'custom.onLeave': ['yes'] },
        grant: [
          { app: 'github', groups: ['{{department}}', 'all', '{{custom.squad}}'] },
          { app: 'slack', groups: ['engineering'] },
        ],
      },
      {
        name: 'creative',
        when: { department: ['marketing', 'DESIGN'], location: ['Berlin'] },
        grant: [{ app: 'canva', groups: ['ignored'] }],
      },
    ],
  },
};

const base: EmployeeRecord = { employeeId: 'E1', givenName: 'A', familyName: 'B', status: 'active' };

describe('evaluateAccess', () => {
  test('an empty when matches everyone', () => {
    const plan = evaluateAccess(policy, connectors, base);
    expect(plan.apps).toEqual({
      slack: { app: 'slack', groups: ['all-staff'], rules: ['everyone'], groupRules: { 'all-staff': ['everyone'] } },
    });
  });

  test('OR within a field, rule group templates, then the connector nameTemplate; rules recorded', () => {
    const plan = evaluateAccess(policy, connectors, { ...base, department: 'Platform', custom: { squad: 'payments' } });
    expect(plan.apps.github).toEqual({
      app: 'github',
      groups: ['eng-Platform', 'eng-all', 'eng-payments'],
      rules: ['engineering'],
      groupRules: { 'eng-Platform': ['engineering'], 'eng-all': ['engineering'], 'eng-payments': ['engineering'] },
    });
    expect(plan.apps.slack.groups).toEqual(['all-staff', 'engineering']);
    expect(plan.apps.slack.rules).toEqual(['everyone', 'engineering']);
  });

  test('a group whose placeholder is empty is reported, not granted with a blank name', () => {
    const plan = evaluateAccess(policy, connectors, { ...base, department: 'Engineering' });
    expect(plan.apps.github.groups).toEqual(['eng-Engineering', 'eng-all']);
    expect(plan.unresolvedGroups).toEqual([{ app: 'github', rule: 'engineering', group: '{{custom.squad}}' }]);
  });

  test('unless: any matching field (including custom.x) disables the rule', () => {
    expect(
      evaluateAccess(policy, connectors, { ...base, department: 'Engineering', employmentType: 'CONTRACTOR' }).apps
        .github,
    ).toBeUndefined();
    expect(
      evaluateAccess(policy, connectors, { ...base, department: 'Engineering', custom: { onLeave: 'YES' } }).apps
        .github,
    ).toBeUndefined();
  });

  test('AND across fields, case-insensitive values; groups dropped where the connector does not manage them', () => {
    expect(evaluateAccess(policy, connectors, { ...base, department: 'Marketing' }).apps.canva).toBeUndefined();
    const plan = evaluateAccess(policy, connectors, { ...base, department: ' design ', location: 'berlin' });
    expect(plan.apps.canva).toEqual({ app: 'canva', groups: [], rules: ['creative'], groupRules: {} });
  });

  test('a terminated employee gets nothing', () => {
    expect(
      evaluateAccess(policy, connectors, { ...base, department: 'Engineering', status: 'terminated' }).apps,
    ).toEqual({});
  });

  test('the shipped policy: an engineering contractor gets GitHub contractors only, no announcements', async () => {
    const config = await loadConfig(join(__dirname, '../../../config'));
    const plan = evaluateAccess(config.policy, config.connectors, {
      ...base,
      department: 'Engineering',
      employmentType: 'CONTRACTOR',
    });
    expect(plan.apps.github.groups).toEqual(['eng-contractors']);
    expect(plan.apps.slack.groups).toEqual(['all-staff']);
    expect(Object.keys(plan.apps).sort()).toEqual(['github', 'slack']);
  });
});

describe('diffAccess', () => {
  const plan = (apps: Record<string, string[]>): AccessPlan => ({
    apps: Object.fromEntries(
      Object.entries(apps).map(([app, g]) => [app, { app, groups: g, rules: ['r'], groupRules: {} }]),
    ),
    unresolvedGroups: [],
  });

  test('apps to grant and revoke, groups to add and remove per app', () => {
    const diff = diffAccess(
      plan({ slack: ['all-staff', 'engineering'], github: ['eng-all'] }),
      plan({ slack: ['all-staff', 'marketing'], canva: [] }),
    );
    expect(diff).toEqual({
      grant: ['canva'],
      revoke: ['github'],
      groups: { github: { add: [], remove: ['eng-all'] }, slack: { add: ['marketing'], remove: ['engineering'] } },
    });
    expect(isEmptyAccessDiff(diff)).toBe(false);
  });

  test('the mover path: department change moves GitHub teams', () => {
    const before = evaluateAccess(policy, connectors, {
      ...base,
      department: 'Engineering',
      custom: { squad: 'core' },
    });
    const after = evaluateAccess(policy, connectors, { ...base, department: 'Platform', custom: { squad: 'core' } });
    expect(diffAccess(before, after)).toEqual({
      grant: [],
      revoke: [],
      groups: { github: { add: ['eng-Platform'], remove: ['eng-Engineering'] } },
    });
    expect(isEmptyAccessDiff(diffAccess(after, after))).toBe(true);
  });
});
