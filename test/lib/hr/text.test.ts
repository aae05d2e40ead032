import { HrEventSchema } from '../../../lib/hr/event';
import { checkPlausibility, DEFAULT_PLAUSIBILITY } from '../../../lib/hr/plausibility';
import { findUnsafeText, toPointer, unsafeTextProblem } from '../../../lib/hr/text';
import { hrEvent } from '../lifecycle/fixtures';

describe('unsafeTextProblem', () => {
  test.each([
    ['NUL', 'a\u0000', /control character U\+0000 at character 2/],
    ['TAB', '\tx', /control character U\+0009 at character 1/],
    ['DEL', 'x\u007f', /U\+007F/],
    ['C1 NEL', 'x\u0085', /U\+0085/],
    ['lone high surrogate', 'x\ud800', /unpaired UTF-16 surrogate \(U\+D800\) at character 2/],
    ['lone low surrogate', '\udc00', /unpaired UTF-16 surrogate \(U\+DC00\)/],
  ])('refuses %s', (_name, text, expected) => {
    expect(unsafeTextProblem(text)).toMatch(expected);
  });

  test.each(['Zoë', '李小龍', 'O\u2019Brien', 'emoji 🙂 (a surrogate pair)', 'Ω & <b>'])('accepts %s', (text) => {
    expect(unsafeTextProblem(text)).toBeUndefined();
  });

  test('never repeats the value in its answer', () => {
    expect(unsafeTextProblem('secret-name\u0000')).not.toContain('secret-name');
  });
});

describe('findUnsafeText', () => {
  test('walks values and member names and gives RFC 6901 pointers', () => {
    const found = findUnsafeText({ a: ['ok', 'x\u0001'], 'b\u0000': 1, 'c/d~e': { f: '\udc00' } });
    expect(found.map((f) => f.pointer)).toEqual(['/a/1', '', '/c~1d~0e/f']);
    expect(found[1].problem).toMatch(/^has a member name that holds the control character U\+0000/);
  });

  test('stops after the limit', () => {
    expect(
      findUnsafeText(
        Array.from({ length: 50 }, () => '\u0000'),
        5,
      ),
    ).toHaveLength(5);
  });

  test('toPointer of the root is the empty string', () => {
    expect(toPointer([])).toBe('');
  });
});

describe('HrEventSchema text rules', () => {
  test('every employee string refuses control characters', () => {
    const parsed = HrEventSchema.safeParse(
      hrEvent({
        initiator: 'a\u0000',
        employee: { ...hrEvent().employee, department: 'x\n', custom: { k: '\ud800' } },
      }),
    );
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'employee.custom.k',
      'employee.department',
      'initiator',
    ]);
  });

  test('employeeId and cancelsEventId follow the eventId rule', () => {
    const parsed = HrEventSchema.safeParse(
      hrEvent({ type: 'cancel', cancelsEventId: 'a b', employee: { ...hrEvent().employee, employeeId: 'E/1' } }),
    );
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message]).sort()).toEqual([
      ['cancelsEventId', 'use letters, digits and . _ : - only'],
      ['employee.employeeId', 'use letters, digits and . _ : - only'],
    ]);
  });

  test('sequence stays within the safe integers', () => {
    expect(HrEventSchema.safeParse(hrEvent({ sequence: 2 ** 53 })).success).toBe(false);
  });
});

describe('checkPlausibility', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const event = (extra: object) => HrEventSchema.parse(hrEvent(extra));

  test('occurredAt may be ahead by the clock skew, not more', () => {
    expect(checkPlausibility(event({ occurredAt: '2026-11-30T12:05:00Z' }), now)).toEqual([]);
    expect(checkPlausibility(event({ occurredAt: '2026-11-30T12:05:01Z' }), now).map((i) => i.path)).toEqual([
      ['occurredAt'],
    ]);
    expect(
      checkPlausibility(event({ occurredAt: '2026-11-30T12:05:01Z' }), now, {
        ...DEFAULT_PLAUSIBILITY,
        clockSkewSec: 600,
      }),
    ).toEqual([]);
  });

  test('sequence up to the bound', () => {
    expect(checkPlausibility(event({ sequence: 1e15 }), now)).toEqual([]);
    expect(checkPlausibility(event({ sequence: 2 ** 53 - 1 }), now).map((i) => i.path)).toEqual([['sequence']]);
    expect(
      checkPlausibility(event({ sequence: 11 }), now, { ...DEFAULT_PLAUSIBILITY, maxSequence: 10 }).map((i) => i.path),
    ).toEqual([['sequence']]);
  });

  test('effectiveAt may be years ahead (future-dated contracts), not at a placeholder date', () => {
    expect(checkPlausibility(event({ effectiveAt: '2031-06-30T17:00:00+02:00' }), now)).toEqual([]);
    expect(checkPlausibility(event({ effectiveAt: '9999-12-31T00:00:00Z' }), now).map((i) => i.path)).toEqual([
      ['effectiveAt'],
    ]);
  });
});
