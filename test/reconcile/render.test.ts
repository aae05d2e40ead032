import { exitCodeOf, renderReconcileTable, type ReconcileReport } from '../../lib/reconcile';

const clean: ReconcileReport = {
  apps: [{ app: 'slack', scanned: { users: 3, groups: 2, pages: 2, paging: 'short-page' }, findings: [] }],
};
const found: ReconcileReport = {
  apps: [
    {
      app: 'slack',
      scanned: { users: 3, groups: 2, pages: 2, paging: 'repeated-page' },
      findings: [
        {
          kind: 'active-leaver',
          employeeId: 'E1',
          scimId: 'u1',
          detail: 'HR says terminated; the account is active',
          repaired: 'yes',
        },
        { kind: 'orphan', scimId: 'u9', detail: 'externalId X belongs to no person this product knows' },
      ],
    },
  ],
};
const broken: ReconcileReport = {
  apps: [
    ...found.apps,
    {
      app: 'github',
      scanned: { users: 0, groups: 0, pages: 0, paging: 'n/a' },
      findings: [],
      error: 'SCIM_UNAUTHORIZED',
    },
  ],
};

test('exit code: 0 nothing found, 1 findings, 2 an app could not be reconciled', () => {
  expect(exitCodeOf(clean)).toBe(0);
  expect(exitCodeOf(found)).toBe(1);
  expect(exitCodeOf(broken)).toBe(2);
});

test('the table names each finding, its person or account and whether it was repaired', () => {
  expect(renderReconcileTable(clean)).toBe('slack: 3 accounts, 2 groups scanned — no findings');
  const table = renderReconcileTable(broken).split('\n');
  expect(table[0]).toBe('slack: 3 accounts, 2 groups scanned — 2 finding(s)');
  expect(table[1]).toMatch(
    /^ {2}active-leaver +employee E1, scim id u1: HR says terminated; the account is active \[repaired\]$/,
  );
  expect(table[2]).toMatch(/^ {2}orphan +scim id u9: externalId X/);
  expect(table[3]).toBe('github: 0 accounts, 0 groups scanned — NOT RECONCILED: SCIM_UNAUTHORIZED');
});

test('a missing account says what the employee workflow answered: requested, or rejected with the reason', () => {
  const missing = (extra: object) => ({
    kind: 'missing' as const,
    employeeId: 'E2',
    detail: 'the policy grants this app; no account carries this externalId',
    ...extra,
  });
  const report: ReconcileReport = {
    apps: [
      {
        app: 'github',
        scanned: { users: 1, groups: 0, pages: 1, paging: 'short-page' },
        findings: [
          missing({ repaired: 'requested', requestId: 'ensure-github-1' }),
          missing({ employeeId: 'E3', repaired: 'rejected', repairError: 'E3 is a leaver (HR says terminated)' }),
        ],
      },
    ],
  };
  const table = renderReconcileTable(report).split('\n');
  expect(table[1]).toMatch(/employee E2: .* \[account requested from the employee workflow: ensure-github-1\]$/);
  expect(table[2]).toMatch(/employee E3: .* \[account request REJECTED: E3 is a leaver \(HR says terminated\)\]$/);
});
