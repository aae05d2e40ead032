import { changedFields, classifyTransition, snapshotOf } from '../../../lib/lifecycle/classify';
import { employee, hrEvent } from './fixtures';

describe('classifyTransition', () => {
  it.each([
    ['first hire', undefined, employee(), false, 'join'],
    ['pending → active', employee({ status: 'pending' }), employee(), false, 'join'],
    ['attribute change', employee(), employee({ department: 'Sales' }), true, 'move'],
    ['same snapshot again', employee(), employee(), true, 'none'],
    ['termination', employee(), employee({ status: 'terminated' }), true, 'leave'],
    ['leave of absence keeps access', employee(), employee({ status: 'leave' }), true, 'move'],
    ['re-hire of a provisioned leaver', employee({ status: 'terminated' }), employee(), true, 'rehire'],
    ['hire after a pre-hire termination', employee({ status: 'terminated' }), employee(), false, 'join'],
    ['termination of someone never seen', undefined, employee({ status: 'terminated' }), false, 'none'],
    [
      'update of a terminated person',
      employee({ status: 'terminated' }),
      employee({ status: 'terminated', title: 'X' }),
      true,
      'none',
    ],
  ] as const)('%s → %s', (_name, previous, next, provisioned, expected) => {
    expect(classifyTransition(previous, next, provisioned)).toBe(expected);
  });

  it('ignores key order and undefined fields when comparing snapshots', () => {
    const a = employee({ title: undefined });
    const b = Object.fromEntries(Object.entries(employee()).reverse()) as ReturnType<typeof employee>;
    delete (b as { title?: string }).title;
    expect(classifyTransition(a, b, true)).toBe('none');
  });
});

describe('snapshotOf', () => {
  it('lets an explicit event type override the record status', () => {
    expect(snapshotOf(hrEvent({ type: 'terminate' })).status).toBe('terminated');
    expect(snapshotOf(hrEvent({ type: 'rehire', employee: employee({ status: 'terminated' }) })).status).toBe('active');
    expect(snapshotOf(hrEvent({ type: 'update', employee: employee({ status: 'leave' }) })).status).toBe('leave');
  });
});

describe('changedFields', () => {
  it('names the HR fields that differ, sorted', () => {
    expect(changedFields(employee(), employee({ department: 'Sales', title: 'AE' }))).toEqual(['department', 'title']);
    expect(changedFields(employee(), employee({ custom: { badge: '1' } }))).toEqual(['custom']);
  });
});
