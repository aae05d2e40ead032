import { HrEventSchema } from '../../../lib/hr/event';
import { hrEvent } from '../lifecycle/fixtures';

describe('HrEventSchema', () => {
  it('accepts a canonical hire', () => {
    expect(HrEventSchema.safeParse(hrEvent()).success).toBe(true);
  });

  it('requires an explicit offset on effectiveAt', () => {
    const result = HrEventSchema.safeParse(hrEvent({ effectiveAt: '2026-12-01T09:00:00' }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['effectiveAt']);
  });

  it('requires cancelsEventId on a cancel, naming the field', () => {
    const result = HrEventSchema.safeParse(hrEvent({ type: 'cancel' }));
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['cancelsEventId', 'a cancel event needs cancelsEventId (the eventId of the pending event it withdraws)'],
    ]);
  });

  it('rejects unknown fields and names them', () => {
    const result = HrEventSchema.safeParse({ ...hrEvent(), colour: 'blue' });
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['colour'] });
  });
});
