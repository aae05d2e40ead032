/** The campaign's verdict finds each kind of loss it claims to find (and nothing on a clean state). */
import { acceptAlertedRemovals, judge, problemCount, type AppState } from './checks';
import type { PersonTruth } from './scenario';

const person = (employeeId: string, extra: Partial<PersonTruth> = {}): PersonTruth => ({
  employeeId,
  status: 'active',
  department: 'Engineering',
  title: 'T',
  legalHold: false,
  everHad: ['slack', 'github'],
  ...extra,
});
const app = (
  users: AppState['users'],
  deleteMode: AppState['deleteMode'] = 'hard',
  deletedIds: string[] = [],
): AppState => ({ users, deleteMode, deletedIds });

test('a clean state has no problems', () => {
  const people = [
    person('A'),
    person('L', { status: 'terminated' }),
    person('H', { status: 'terminated', legalHold: true }),
  ];
  const v = judge(people, {
    slack: app(
      [
        { id: 's1', externalId: 'A', userName: 'a', active: true },
        { id: 's2', externalId: 'L', userName: 'l', active: false },
        { id: 's3', externalId: 'H', userName: 'h', active: false },
      ],
      'deactivate-only',
    ),
    github: app(
      [
        { id: 'g1', externalId: 'A', userName: 'a', active: true },
        { id: 'g3', externalId: 'H', userName: 'h', active: false },
      ],
      'hard',
      ['g2'],
    ),
    canva: app([], 'none'),
  });
  expect(problemCount(v)).toBe(0);
});

test('names missing, duplicate, still-active, unrevoked, deleted-on-hold and not-deleted accounts', () => {
  const people = [
    person('A'),
    person('D'),
    person('L', { status: 'terminated' }),
    person('M', { department: 'Sales', everHad: ['slack', 'github'] }),
    person('H', { status: 'terminated', legalHold: true }),
    person('R', { status: 'terminated' }),
  ];
  const v = judge(people, {
    slack: app(
      [
        { id: 's1', externalId: 'A', userName: 'a', active: false },
        { id: 'd1', externalId: 'D', userName: 'd', active: true },
        { id: 'd2', externalId: 'D', userName: 'd2', active: true },
        { id: 'l1', externalId: 'L', userName: 'l', active: true },
        { id: 'm1', externalId: 'M', userName: 'm', active: true },
        { id: 'h1', externalId: 'H', userName: 'h', active: false },
        { id: 'r1', externalId: 'R', userName: 'r', active: false },
      ],
      'deactivate-only',
    ),
    github: app(
      [
        { id: 'g-a', externalId: 'A', userName: 'a', active: true },
        { id: 'g-d', externalId: 'D', userName: 'd', active: true },
        { id: 'g-m', externalId: 'M', userName: 'm', active: true },
        { id: 'g-x', externalId: 'X', userName: 'd', active: true },
        { id: 'g-r', externalId: 'R', userName: 'r', active: false },
      ],
      'hard',
      ['g-h'],
    ),
  });
  expect(v).toEqual({
    missing: ['A@slack'],
    duplicates: ['d@github', 'D@slack'],
    leaversActive: ['L@slack'],
    accessNotRevoked: ['M@github'],
    deletedWhileOnHold: ['H@github'],
    notDeletedAfterRetention: ['R@github'],
    duplicateGroups: [],
    duplicateMembers: [],
    leaverMemberships: [],
    staleMemberships: [],
    missingMemberships: [],
  });
});

test('on an app without unique group names: duplicate groups and members, leavers and movers left in groups, joiners missing', () => {
  const people = [
    person('A', { department: 'Sales' }),
    person('B', { department: 'Sales' }),
    person('L', { status: 'terminated', department: 'Sales' }),
    person('M', { department: 'Marketing' }),
  ];
  const users = [
    { id: 'a', externalId: 'A', userName: 'a', active: true },
    { id: 'b', externalId: 'B', userName: 'b', active: true },
    { id: 'l', externalId: 'L', userName: 'l', active: false },
    { id: 'm', externalId: 'M', userName: 'm', active: true },
  ];
  const clean: AppState = {
    ...app(users, 'deactivate-only'),
    groups: [
      { displayName: 'dept-Sales', members: ['a', 'b'] },
      { displayName: 'dept-Marketing', members: ['m'] },
      { displayName: 'all-staff', members: ['a', 'b', 'm'] },
    ],
  };
  expect(problemCount(judge(people, { slack: clean }))).toBe(0);
  // A second copy from an add that hung past the timeout and was applied late is explained; a third is not.
  const late: AppState = {
    ...clean,
    groups: [{ displayName: 'dept-Sales', members: ['a', 'b', 'a'], hungAdds: ['a'] }, ...clean.groups!.slice(1)],
  };
  expect(problemCount(judge(people, { slack: late }))).toBe(0);
  const thrice: AppState = {
    ...clean,
    groups: [{ displayName: 'dept-Sales', members: ['a', 'b', 'a', 'a'], hungAdds: ['a'] }, ...clean.groups!.slice(1)],
  };
  expect(judge(people, { slack: thrice }).duplicateMembers).toEqual(['A@slack:dept-Sales']);
  // A leaver re-added by a late add is reported as explained, not hidden; without the hung add it is a problem.
  const explained: string[] = [];
  const reAdded: AppState = {
    ...clean,
    groups: [
      ...clean.groups!.slice(0, 2),
      { displayName: 'all-staff', members: ['a', 'b', 'm', 'l'], hungAdds: ['l'] },
    ],
  };
  expect(problemCount(judge(people, { slack: reAdded }, explained))).toBe(0);
  expect(explained).toEqual(['L@slack:all-staff: re-added by an add applied after it timed out (after the removal)']);
  const messy: AppState = {
    ...app(users, 'deactivate-only'),
    groups: [
      { displayName: 'dept-Sales', members: ['a', 'a', 'l'] },
      { displayName: 'dept-Sales', members: ['m'] },
      { displayName: 'all-staff', members: ['l'] },
      // An empty stray duplicate (a late create) is not a split membership.
      { displayName: 'all-staff', members: [] },
    ],
  };
  expect(judge(people, { slack: messy })).toMatchObject({
    duplicateGroups: ['dept-Sales@slack'],
    duplicateMembers: ['A@slack:dept-Sales'],
    leaverMemberships: ['L@slack:all-staff', 'L@slack:dept-Sales'],
    staleMemberships: ['M@slack:dept-Sales'],
    missingMemberships: ['B@slack:dept-Sales', 'M@slack:dept-Marketing'],
  });
});

test('a leaver membership the app kept refusing to remove counts unless it was alerted as groups-not-removed', () => {
  const verdict = judge([], {});
  verdict.leaverMemberships = ['L@slack:all-staff', 'L@slack:dept-Sales', 'K@slack:all-staff'];
  const explained: string[] = [];
  const alerts = [
    {
      kind: 'groups-not-removed',
      employeeId: 'L',
      app: 'slack',
      message: 'leaver L-term: slack still lists L in all-staff (SCIM_RATE_LIMITED); the account is deactivated',
    },
    // Another person's alert, another app's, another kind: none of them covers a membership here.
    { kind: 'groups-not-removed', employeeId: 'K', app: 'github', message: 'github still lists K in all-staff (X)' },
    { kind: 'app-failed', employeeId: 'L', app: 'slack', message: 'slack still lists L in dept-Sales (X)' },
  ];
  const judged = acceptAlertedRemovals(verdict, alerts, explained);
  expect(judged.leaverMemberships).toEqual(['L@slack:dept-Sales', 'K@slack:all-staff']);
  expect(explained).toEqual(['L@slack:all-staff: the app refused the removal; alerted groups-not-removed']);
  expect(problemCount(judged)).toBe(2);
});

test('a held leaver: never created is not a deletion; a DELETE or an account gone is; an active account still is a leaver active', () => {
  const people = [person('H', { status: 'terminated', legalHold: true })];
  const h = { id: 'h1', externalId: 'H', userName: 'h', active: false };
  const held = (users: AppState['users'], everHeld: AppState['users'], deletedIds: string[] = []): AppState => ({
    ...app(users, 'hard', deletedIds),
    everHeld,
  });
  // The joiner was cut short by the termination: neither app ever had an account.
  const neverCreated: string[] = [];
  const never = judge(people, { slack: held([], []), github: held([], [], ['someone-else']) }, [], neverCreated);
  expect(problemCount(never)).toBe(0);
  expect(neverCreated).toEqual(['H@slack', 'H@github']);
  // Kept, deactivated: nothing to report.
  const kept: string[] = [];
  expect(
    problemCount(
      judge(people, { slack: held([h], [h]), github: held([{ ...h, id: 'g1' }], [{ ...h, id: 'g1' }]) }, [], kept),
    ),
  ).toBe(0);
  expect(kept).toEqual([]);
  // Deleted: a DELETE reached the account (even if the app only deactivated it), or it existed and is gone.
  const deleted = judge(people, { slack: held([h], [h], ['h1']), github: held([], [{ ...h, id: 'g1' }]) });
  expect(deleted.deletedWhileOnHold).toEqual(['H@slack', 'H@github']);
  // An account created late and active: never a deletion, still a leaver active.
  const late = judge(people, { slack: held([{ ...h, active: true }], [h]), github: held([], []) });
  expect(late).toMatchObject({ deletedWhileOnHold: [], leaversActive: ['H@slack'] });
  // Without the app's history, absence cannot be told apart from a deletion: counted as deleted.
  expect(judge(people, { slack: app([], 'hard'), github: app([h], 'hard') }).deletedWhileOnHold).toEqual(['H@slack']);
});
