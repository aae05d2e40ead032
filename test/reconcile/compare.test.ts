/**
 * The comparison alone (pure): group memberships across many managed groups. Each group's
 * expected members come from one pass over the grants (per group, a pass over every grant had
 * cost groups × people); these pin down what that pass must give.
 */
import { loadConfig } from '../../lib/config';
import type { ConnectorConfig, PolicyConfig } from '../../lib/config/types';
import type { EmployeeRecord } from '../../lib/hr/employee';
import { reconcileApp, type KnownPerson } from '../../lib/reconcile';
import type { ScimGroup } from '../../lib/scim';
import { CONFIG_DIR } from '../helpers/lifecycle-stack';

const DEPARTMENTS = 100;
const PEOPLE = 300;
const department = (n: number) => `D${n % DEPARTMENTS}`;

let connector: ConnectorConfig;
beforeAll(async () => {
  const shipped = (await loadConfig(CONFIG_DIR)).connectors.github!;
  connector = { ...shipped, groups: { manage: true, create: false, nameTemplate: '{{group}}' } };
});

const policy: Pick<PolicyConfig, 'access'> = {
  access: { rules: [{ name: 'all', when: {}, grant: [{ app: 'github', groups: ['all', '{{department}}'] }] }] },
} as unknown as Pick<PolicyConfig, 'access'>;

function record(n: number, status: EmployeeRecord['status'] = 'active'): EmployeeRecord {
  return {
    employeeId: `B${n}`,
    givenName: 'Bench',
    familyName: `User${n}`,
    workEmail: `bench.user${n}@example.com`,
    department: department(n),
    status,
  };
}

function groupDrift(people: KnownPerson[], groups: ScimGroup[]): string[] {
  const users = people.map((p) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: `u${p.employeeId.slice(1)}`,
    externalId: p.employeeId,
    active: true,
  }));
  return reconcileApp({ connector, policy, connectors: { github: connector }, people, scan: { users, groups } })
    .filter((f) => f.kind === 'group-drift')
    .map(
      (f) =>
        `${f.scimId} ${f.detail.startsWith('not a member') ? '+' : '-'}${f.repair?.action === 'fix-membership' ? f.repair.group : '?'}`,
    )
    .sort();
}

/** Every group as the policy wants it: `all` with everyone active, one per department. */
function groupsAsGranted(people: KnownPerson[]): ScimGroup[] {
  const active = people.filter((p) => p.snapshot?.status === 'active');
  const members = (keep: (p: KnownPerson) => boolean) =>
    active.filter(keep).map((p) => ({ value: `u${p.employeeId.slice(1)}` }));
  return [
    { id: 'g-all', displayName: 'all', members: members(() => true) },
    ...Array.from({ length: DEPARTMENTS }, (_, d) => ({
      id: `g${d}`,
      displayName: `D${d}`,
      members: members((p) => p.snapshot?.department === `D${d}`),
    })),
  ];
}

test('101 managed groups held as granted: no group drift', () => {
  const people = Array.from({ length: PEOPLE }, (_, i) => ({ employeeId: `B${i + 1}`, snapshot: record(i + 1) }));
  expect(groupDrift(people, groupsAsGranted(people))).toEqual([]);
});

test('each group is compared with its own members: a missing member, a stray one, a leaver, a name in other case', () => {
  const people: KnownPerson[] = Array.from({ length: PEOPLE }, (_, i) => ({
    employeeId: `B${i + 1}`,
    snapshot: record(i + 1),
  }));
  const groups = groupsAsGranted(people);
  const byName = (name: string) => groups.find((g) => g.displayName === name)!;
  // B7 (D7) dropped from D7; B8 (D8) put in D9 as well; the app spells D10 as d10 (names match case-insensitively).
  byName('D7').members = byName('D7').members!.filter((m) => m.value !== 'u7');
  byName('D9').members!.push({ value: 'u8' });
  byName('D10').displayName = 'd10';
  // B11 is a leaver still in "all" and D11: both memberships go.
  people[10] = { employeeId: 'B11', snapshot: record(11, 'terminated') };
  byName('all').members!.push({ value: 'u11' });
  byName('D11').members!.push({ value: 'u11' });
  expect(groupDrift(people, groups)).toEqual(['u11 -D11', 'u11 -all', 'u7 +D7', 'u8 -D9'].sort());
});
