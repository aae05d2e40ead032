/** The campaign's verdict finds each kind of loss it claims to find (and nothing on a clean state). */
import { judge, problemCount, type AppState } from './checks';
import type { PersonTruth } from './scenario';

const person = (employeeId: string, extra: Partial<PersonTruth> = {}): PersonTruth => ({ employeeId, status: 'active', department: 'Engineering', title: 'T', legalHold: false, everHad: ['slack', 'github'], ...extra });
const app = (users: AppState['users'], deleteMode: AppState['deleteMode'] = 'hard', deletedIds: string[] = []): AppState => ({ users, deleteMode, deletedIds });

test('a clean state has no problems', () => {
  const people = [person('A'), person('L', { status: 'terminated' }), person('H', { status: 'terminated', legalHold: true })];
  const v = judge(people, {
    slack: app([{ id: 's1', externalId: 'A', userName: 'a', active: true }, { id: 's2', externalId: 'L', userName: 'l', active: false }, { id: 's3', externalId: 'H', userName: 'h', active: false }], 'deactivate-only'),
    github: app([{ id: 'g1', externalId: 'A', userName: 'a', active: true }, { id: 'g3', externalId: 'H', userName: 'h', active: false }], 'hard', ['g2']),
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
    slack: app([
      { id: 's1', externalId: 'A', userName: 'a', active: false },
      { id: 'd1', externalId: 'D', userName: 'd', active: true },
      { id: 'd2', externalId: 'D', userName: 'd2', active: true },
      { id: 'l1', externalId: 'L', userName: 'l', active: true },
      { id: 'm1', externalId: 'M', userName: 'm', active: true },
      { id: 'h1', externalId: 'H', userName: 'h', active: false },
      { id: 'r1', externalId: 'R', userName: 'r', active: false },
    ], 'deactivate-only'),
    github: app([
      { id: 'g-a', externalId: 'A', userName: 'a', active: true },
      { id: 'g-d', externalId: 'D', userName: 'd', active: true },
      { id: 'g-m', externalId: 'M', userName: 'm', active: true },
      { id: 'g-x', externalId: 'X', userName: 'd', active: true },
      { id: 'g-r', externalId: 'R', userName: 'r', active: false },
    ], 'hard', ['g-h']),
  });
  expect(v).toEqual({
    missing: ['A@slack'],
    duplicates: ['d@github', 'D@slack'],
    leaversActive: ['L@slack'],
    accessNotRevoked: ['M@github'],
    deletedWhileOnHold: ['H@github'],
    notDeletedAfterRetention: ['R@github'],
  });
});
