/** Correlation of a roster with one app's accounts: plain data, the shipped connectors and policy. */
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import type { ConnectorConfig, LoadedConfig } from '../../lib/config/types';
import type { EmployeeRecord } from '../../lib/hr/employee';
import type { ScimUserResource } from '../../lib/mapping';
import { canSetExternalId, correlateApp } from '../../lib/roster';

let config: LoadedConfig;
beforeAll(async () => {
  config = await loadConfig(path.join(__dirname, '..', '..', 'config'));
});

const person = (employeeId: string, extra: Partial<EmployeeRecord> = {}): EmployeeRecord => ({
  employeeId,
  givenName: 'Ada',
  familyName: employeeId,
  workEmail: `${employeeId.toLowerCase()}@example.com`,
  department: 'Sales',
  status: 'active',
  ...extra,
});
const account = (id: string, extra: Partial<ScimUserResource> = {}): ScimUserResource => ({
  schemas: [],
  id,
  active: true,
  ...extra,
});
const run = (connector: ConnectorConfig, people: EmployeeRecord[], users: ScimUserResource[]) =>
  correlateApp({ connector, policy: config.policy, connectors: config.connectors, people, users });

describe('correlateApp', () => {
  it('matches by externalId first, then userName case-insensitively, then work email', () => {
    const slack = config.connectors.slack!;
    const result = run(
      slack,
      [person('E1'), person('E2'), person('E3'), person('E4')],
      [
        account('u1', { externalId: 'E1', userName: 'someone-else@example.com' }),
        account('u2', { userName: 'E2@Example.COM' }),
        account('u3', { userName: 'handle3', emails: [{ value: 'E3@example.com', type: 'work' }] }),
        account('u9', { userName: 'admin@example.com' }),
      ],
    );
    expect(result.matches.map((m) => [m.employeeId, m.scimId, m.by, m.adoption])).toEqual([
      ['E1', 'u1', 'externalId', 'none'],
      ['E2', 'u2', 'userName', 'set-externalId'],
      ['E3', 'u3', 'email', 'set-externalId'],
    ]);
    expect(result.toCreate).toEqual(['E4']);
    expect(result.unclaimed).toEqual([{ scimId: 'u9', userName: 'admin@example.com' }]);
    expect(result.conflicts).toEqual([]);
  });

  it('builds the expected userName with the connector mapping (lower-cased work email here)', () => {
    const slack = config.connectors.slack!;
    const result = run(
      slack,
      [person('E5', { workEmail: 'Grace.Hopper@Example.com' })],
      [account('u5', { userName: 'GRACE.HOPPER@example.com' })],
    );
    expect(result.matches.map((m) => [m.employeeId, m.scimId, m.by])).toEqual([['E5', 'u5', 'userName']]);
  });

  it('reports conflicts and never offers them for adoption', () => {
    const slack = config.connectors.slack!;
    const result = run(
      slack,
      [
        person('D1'),
        person('S1', { workEmail: 'shared@example.com' }),
        person('S2', { workEmail: 'shared@example.com' }),
        person('M1'),
        person('M2'),
        person('X1'),
      ],
      [
        account('d1a', { externalId: 'D1', userName: 'd1@example.com' }),
        account('d1b', { externalId: 'D1', userName: 'd1-old@example.com' }),
        account('s', { userName: 'shared@example.com' }),
        account('m1', { userName: 'm1@example.com', externalId: 'M2' }), // points to another person of the roster
        account('m2', { externalId: 'M2-old', userName: 'm2-old@example.com' }),
        account('x1', { userName: 'x1@example.com', externalId: 'GONE-7' }), // externalId of nobody in the roster
      ],
    );
    const kinds = result.conflicts.map((c) => [c.kind, c.employeeIds.join('+'), c.scimIds.join('+')]);
    expect(kinds).toEqual([
      ['several-accounts', 'D1', 'd1a+d1b'],
      ['shared-account', 'S1+S2', 's'],
      ['externalid-mismatch', 'M1', 'm1'],
      ['externalid-mismatch', 'X1', 'x1'],
    ]);
    // m1 carries M2's externalId: it is M2's (externalId is authoritative), M1's userName match is the conflict.
    expect(result.matches.map((m) => [m.employeeId, m.scimId, m.by])).toEqual([['M2', 'm1', 'externalId']]);
    expect(result.toCreate).toEqual([]);
    expect(result.conflicts[2]!.detail).toContain('another person of the roster');
    expect(result.conflicts[3]!.detail).toContain('not in the roster');
    // Accounts named in a conflict are not also listed as unclaimed; m2 (another externalId, no one's userName) is.
    expect(result.unclaimed.map((u) => u.scimId)).toEqual(['m2']);
  });

  it('an account matched by userName that carries another roster person’s externalId is a mismatch', () => {
    const slack = config.connectors.slack!;
    const result = run(
      slack,
      [person('A1'), person('B1')],
      [
        account('a', { userName: 'a1@example.com', externalId: 'B1' }),
        account('b', { userName: 'b1@example.com', externalId: 'B1-x' }),
      ],
    );
    // "a" is B1's by externalId; A1's userName match on it is the conflict, B1 keeps its account.
    expect(result.conflicts.map((c) => [c.kind, c.employeeIds[0]])).toEqual([['externalid-mismatch', 'A1']]);
    expect(result.matches.map((m) => [m.employeeId, m.scimId])).toEqual([['B1', 'a']]);
  });

  it('where the app keeps no externalId, adopts by the userName the connector builds; an email-only match is not adoptable', () => {
    const noExternalId: ConnectorConfig = { ...config.connectors.slack!, match: ['userName'] };
    expect(canSetExternalId(noExternalId)).toBe(false);
    expect(canSetExternalId(config.connectors.slack!)).toBe(true);
    const result = run(
      noExternalId,
      [person('N1'), person('N2')],
      [
        account('n1', { userName: 'N1@example.com' }),
        account('n2', { userName: 'nick', emails: [{ value: 'n2@example.com' }] }),
      ],
    );
    expect(result.matches.map((m) => [m.employeeId, m.adoption])).toEqual([['N1', 'by-userName']]);
    expect(result.conflicts.map((c) => [c.kind, c.employeeIds[0]])).toEqual([['not-adoptable', 'N2']]);
  });

  it('creates only where the policy grants the app, and never for terminated people', () => {
    const github = config.connectors.github!; // granted to Engineering by the shipped policy
    const result = run(
      github,
      [
        person('G1', { department: 'Engineering' }),
        person('G2'),
        person('G3', { department: 'Engineering', status: 'terminated' }),
      ],
      [account('g2', { userName: 'g2@example.com' })],
    );
    expect(result.toCreate).toEqual(['G1']);
    expect(result.matches.map((m) => [m.employeeId, m.granted])).toEqual([['G2', false]]);
  });
});
