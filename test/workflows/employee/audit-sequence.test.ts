import { milestoneKey, slaBreachKey } from '../../../lib/lifecycle/audit-keys';
import { appendTimeline, initialState, TIMELINE_LIMIT, unauditedTimeline } from '../../../workflows/employee/state';
import type { TimelineEntry } from '../../../lib/lifecycle/types';

const entry = (atMs: number): TimelineEntry => ({ atMs, kind: 'event-received', eventId: `e${atMs}` });

describe('timeline sequence for the audit trail', () => {
  it('numbers every appended milestone and hands out only the ones not yet audited', () => {
    let s = appendTimeline(initialState('E1'), [entry(1), entry(2)]);
    expect(unauditedTimeline(s)).toEqual([
      { seq: 0, entry: entry(1) },
      { seq: 1, entry: entry(2) },
    ]);
    s = { ...s, auditedSeq: 2 };
    s = appendTimeline(s, [entry(3)]);
    expect(unauditedTimeline(s)).toEqual([{ seq: 2, entry: entry(3) }]);
    expect(s.timelineSeq).toBe(3);
  });

  it('keeps sequence numbers global when state drops old entries past the limit', () => {
    let s = initialState('E1');
    const many = Array.from({ length: TIMELINE_LIMIT + 5 }, (_, i) => entry(i));
    s = { ...appendTimeline(s, many), auditedSeq: TIMELINE_LIMIT + 3 };
    expect(s.timeline).toHaveLength(TIMELINE_LIMIT);
    expect(s.timeline[0]).toEqual(entry(5));
    expect(unauditedTimeline(s)).toEqual([
      { seq: TIMELINE_LIMIT + 3, entry: entry(TIMELINE_LIMIT + 3) },
      { seq: TIMELINE_LIMIT + 4, entry: entry(TIMELINE_LIMIT + 4) },
    ]);
  });

  it('has nothing to hand out when everything was audited', () => {
    const s = appendTimeline(initialState('E1'), [entry(1)]);
    expect(unauditedTimeline({ ...s, auditedSeq: 1 })).toEqual([]);
  });
});

describe('milestoneKey', () => {
  it("keys by employee workflow and sequence, except SLA breaches which share the alert's key", () => {
    expect(milestoneKey('employee-E1', 7, entry(1))).toBe('employee-E1#7');
    const breach: TimelineEntry = { atMs: 1, kind: 'sla-breached', workflowId: 'leaver-E1-evt-1' };
    expect(milestoneKey('employee-E1', 8, breach)).toBe(slaBreachKey('leaver-E1-evt-1'));
  });
});
