import { importExitCode, renderImportTable, type ImportReport } from '../../lib/roster';

const base: ImportReport = {
  people: 2,
  invalidRows: [],
  managed: [],
  apps: [
    {
      app: 'slack',
      scanned: { users: 3, pages: 1, paging: 'short-page' },
      matches: [
        {
          employeeId: 'E1',
          scimId: 'u1',
          userName: 'e1@example.com',
          by: 'userName',
          adoption: 'set-externalId',
          active: true,
          granted: true,
        },
      ],
      conflicts: [],
      toCreate: ['E2'],
      unclaimed: [{ scimId: 'u9', userName: 'admin@example.com' }],
    },
  ],
};

test('a dry run with work to do exits 1 and says so; nothing to do exits 0', () => {
  expect(importExitCode(base, false)).toBe(1);
  const table = renderImportTable(base, false);
  expect(table).toContain(
    'slack: 3 accounts scanned — 1 matched (0 by externalId, 1 by userName, 0 by email; 1 to adopt), 1 to create, 0 conflict(s), 1 unclaimed',
  );
  expect(table).toContain('unclaimed scim id u9 (admin@example.com)');
  expect(table).toContain('dry run: nothing changed');
  const idle: ImportReport = { ...base, apps: [{ ...base.apps[0]!, matches: [], toCreate: [] }] };
  expect(importExitCode(idle, false)).toBe(0);
});

test('invalid rows and conflicts exit 1; an app not read exits 2; apply exits 0 only when all were started', () => {
  const invalid: ImportReport = {
    ...base,
    invalidRows: [{ row: 3, employeeId: 'E3', field: 'status', message: 'bad' }],
  };
  expect(importExitCode(invalid, true)).toBe(1);
  expect(renderImportTable(invalid, false)).toContain('row 3 (E3), status: bad');
  const conflict: ImportReport = {
    ...base,
    apps: [
      {
        ...base.apps[0]!,
        conflicts: [
          { kind: 'shared-account', employeeIds: ['E1', 'E2'], scimIds: ['u1'], detail: 'account u1 matches 2 people' },
        ],
      },
    ],
  };
  expect(importExitCode(conflict, true)).toBe(1);
  expect(renderImportTable(conflict, false)).toContain('CONFLICT shared-account');
  const broken: ImportReport = { ...base, apps: [{ ...base.apps[0]!, error: 'SCIM_UNAUTHORIZED' }] };
  expect(importExitCode(broken, true)).toBe(2);
  const done: ImportReport = {
    ...base,
    apps: [{ ...base.apps[0]!, adopted: [{ employeeId: 'E1', scimId: 'u1', result: 'externalId-set' }] }],
    started: [
      { employeeId: 'E1', eventId: 'import-E1-x', type: 'hire' },
      { employeeId: 'E2', eventId: 'import-E2-y', type: 'hire' },
    ],
    notStarted: [],
  };
  expect(importExitCode(done, true)).toBe(0);
  expect(renderImportTable(done, true)).toContain(
    'started: 2 workflow(s); terminated in HR (not started, active accounts deactivated): 0; not started: 0',
  );
  expect(importExitCode({ ...done, notStarted: [{ employeeId: 'E3', reason: 'x' }] }, true)).toBe(1);
});
