import { tokenize } from '../../../engine/visibility/lexer';
import { parseDurationNs } from '../../../engine/visibility/values';
import {
  compileVisibilityQuery,
  VisibilityQueryError,
  type SearchAttributeType,
  type VisibilityRecord,
} from '../../../engine/visibility';

const base: VisibilityRecord = {
  workflowId: 'w',
  runId: 'r',
  workflowType: 't',
  taskQueue: 'q',
  status: 'Running',
  startTimeMs: 0,
  executionTimeMs: 0,
  searchAttributes: {},
};

describe('tokenize', () => {
  it('splits operators, numbers, names, strings and punctuation with positions', () => {
    expect(tokenize("a<>-1.5e3 AND `b c`>='x'")).toEqual([
      { kind: 'word', text: 'a', pos: 0 },
      { kind: 'op', text: '!=', pos: 1 },
      { kind: 'number', text: '-1.5e3', pos: 3 },
      { kind: 'word', text: 'AND', pos: 10 },
      { kind: 'name', text: 'b c', pos: 14 },
      { kind: 'op', text: '>=', pos: 19 },
      { kind: 'string', text: 'x', pos: 21 },
    ]);
  });

  it('decodes MySQL escapes and keeps unknown escapes as the character', () => {
    expect(tokenize(String.raw`'a\tb\%\0'`)[0]!.text).toBe('a\tb%\0');
  });

  it('refuses an empty backquoted name', () => {
    expect(() => tokenize('`` = 1')).toThrow(VisibilityQueryError);
  });
});

describe('parseDurationNs', () => {
  it.each([
    ['1h30m', 5400e9],
    ['1.5s', 1.5e9],
    ['300ms', 300e6],
    ['2us', 2000],
    ['01:00:05', 3605e9],
  ])('%s', (text, ns) => {
    expect(parseDurationNs(text)).toBe(ns);
  });

  it.each(['', '5', '1d', '1:2:3', 'h'])('rejects %j', (text) => {
    expect(parseDurationNs(text)).toBeUndefined();
  });
});

describe('custom attribute values as the SDK encodes them', () => {
  const matches = (
    query: string,
    searchAttributes: Record<string, unknown>,
    types: Record<string, SearchAttributeType>,
  ) => compileVisibilityQuery(query, types).matches({ ...base, searchAttributes });

  it('unwraps one-element arrays (the untyped searchAttributes option) and matches any of several', () => {
    expect(matches("K = 'a'", { K: ['a'] }, { K: 'Keyword' })).toBe(true);
    expect(matches('N > 2', { N: [1, 3] }, { N: 'Int' })).toBe(true);
  });

  it('reads Datetime from RFC 3339 strings, epoch ms and Date objects', () => {
    const query = "D BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-02T00:00:00Z'";
    expect(matches(query, { D: '2026-01-01T12:00:00.000Z' }, { D: 'Datetime' })).toBe(true);
    expect(matches(query, { D: Date.parse('2026-01-01T12:00:00Z') }, { D: 'Datetime' })).toBe(true);
    expect(matches(query, { D: new Date('2026-01-03T00:00:00Z') }, { D: 'Datetime' })).toBe(false);
  });

  it('treats an empty KeywordList as NULL', () => {
    expect(matches('L IS NULL', { L: [] }, { L: 'KeywordList' })).toBe(true);
    expect(matches("L != 'x'", { L: [] }, { L: 'KeywordList' })).toBe(false);
  });

  it('lets a custom attribute shadow a system attribute of the same name', () => {
    expect(matches('TaskQueue = 5', { TaskQueue: 5 }, { TaskQueue: 'Int' })).toBe(true);
  });

  it('compares Double values given as integers', () => {
    expect(matches('X >= 2', { X: 2.5 }, { X: 'Double' })).toBe(true);
  });

  it('accepts a Bool written in any case', () => {
    expect(matches('B = False', { B: false }, { B: 'Bool' })).toBe(true);
  });
});

describe('ExecutionDuration and HistoryLength', () => {
  const closed = {
    ...base,
    status: 'Completed' as const,
    executionTimeMs: 1000,
    closeTimeMs: 91_000,
    historyLength: 11,
  };

  it('is NULL while a run is open', () => {
    expect(compileVisibilityQuery('ExecutionDuration IS NULL', {}).matches(base)).toBe(true);
    expect(compileVisibilityQuery("ExecutionDuration > '1s'", {}).matches(base)).toBe(false);
  });

  it('measures execution start to close', () => {
    expect(compileVisibilityQuery("ExecutionDuration = '1m30s'", {}).matches(closed)).toBe(true);
    expect(compileVisibilityQuery('HistoryLength BETWEEN 10 AND 12', {}).matches(closed)).toBe(true);
  });
});
