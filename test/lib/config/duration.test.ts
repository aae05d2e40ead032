import { formatDuration } from '../../../lib/config/duration';
import { parseDuration, tryParseDuration } from '../../../lib/config';

describe('parseDuration', () => {
  test.each([
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['250ms', 250],
    ['0', 0],
    ['PT15M', 900_000],
    ['P30D', 2_592_000_000],
    ['P1DT12H', 129_600_000],
    ['pt0.5s', 500],
    ['P2W', 1_209_600_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '15', '1 hour', 'P', 'PT', 'P1M', 'P1Y', '-5m', 'm15', 'P1DT'])('rejects %j', (text) => {
    expect(tryParseDuration(text)).toBeUndefined();
  });

  test('the error says what to write', () => {
    expect(() => parseDuration('1 hour')).toThrow(
      '"1 hour" is not a duration; write a duration such as 15m, 1h, 30d or ISO 8601 PT15M, P30D',
    );
  });

  test('formatDuration picks the largest exact unit', () => {
    expect([0, 900_000, 86_400_000 * 30, 5_400_000, 1_500].map(formatDuration)).toEqual([
      '0',
      '15m',
      '30d',
      '90m',
      '1500ms',
    ]);
  });
});
