import {
  compileVisibilityQuery,
  VisibilityQueryError,
  type SearchAttributeType,
  type VisibilityRecord,
} from '../../../engine/visibility';

const TYPES: Record<string, SearchAttributeType> = {
  EmployeeId: 'Keyword',
  Apps: 'KeywordList',
  Notes: 'Text',
  Attempts: 'Int',
  Score: 'Double',
  Breached: 'Bool',
  Deadline: 'Datetime',
};

const T0 = Date.parse('2026-11-01T00:00:00Z');

function rec(id: string, extra: Partial<VisibilityRecord> = {}): VisibilityRecord {
  return {
    workflowId: id,
    runId: `run-${id}`,
    workflowType: 'employee',
    taskQueue: 'jml',
    status: 'Running',
    startTimeMs: T0,
    executionTimeMs: T0,
    searchAttributes: {},
    ...extra,
  };
}

const RECORDS: VisibilityRecord[] = [
  rec('a', {
    searchAttributes: {
      EmployeeId: 'E-1',
      Apps: ['slack', 'github'],
      Attempts: 3,
      Score: 1.5,
      Breached: true,
      Notes: 'Moved to Finance team',
      Deadline: '2026-11-05T12:00:00Z',
    },
  }),
  rec('b', {
    status: 'Completed',
    closeTimeMs: T0 + 3_600_000,
    workflowType: 'joiner',
    searchAttributes: { EmployeeId: 'E-2', Apps: ['canva'], Attempts: 1, Breached: false },
  }),
  rec('c', {
    status: 'Failed',
    closeTimeMs: T0 + 60_000,
    startTimeMs: T0 + 10,
    parentWorkflowId: 'a',
    searchAttributes: { EmployeeId: ['E-10'] },
  }),
  rec('d', { taskQueue: 'other', startTimeMs: T0 + 20 }),
];

function ids(query: string): string[] {
  const q = compileVisibilityQuery(query, TYPES);
  const hits = RECORDS.filter((r) => q.matches(r));
  if (q.compare) hits.sort((x, y) => q.compare!(x, y));
  return hits.map((r) => r.workflowId);
}

function error(query: string): VisibilityQueryError {
  try {
    compileVisibilityQuery(query, TYPES);
  } catch (err) {
    if (err instanceof VisibilityQueryError) return err;
    throw err;
  }
  throw new Error(`query was accepted: ${query}`);
}

describe('compileVisibilityQuery: selection', () => {
  it.each([
    ['', ['a', 'b', 'c', 'd']],
    ["WorkflowId = 'a'", ['a']],
    ['WorkflowId = "a" OR WorkflowId = \'b\'', ['a', 'b']],
    ["ExecutionStatus = 'Running'", ['a', 'd']],
    ['ExecutionStatus = 2', ['b']],
    ["ExecutionStatus != 'Running' AND WorkflowType = 'employee'", ['c']],
    ["TaskQueue IN ('other', 'none')", ['d']],
    ["TaskQueue NOT IN ('other')", ['a', 'b', 'c']],
    ["WorkflowId BETWEEN 'b' AND 'c'", ['b', 'c']],
    ["WorkflowId NOT BETWEEN 'b' AND 'c'", ['a', 'd']],
    ["EmployeeId STARTS_WITH 'E-1'", ['a', 'c']],
    ["EmployeeId NOT STARTS_WITH 'E-1'", ['b']],
    ['CloseTime IS NULL', ['a', 'd']],
    ['CloseTime IS NOT NULL', ['b', 'c']],
    ['ParentWorkflowId IS NULL', ['a', 'b', 'd']],
    ["NOT (WorkflowId = 'a' OR WorkflowId = 'b')", ['c', 'd']],
    ["WorkflowId = 'a' OR WorkflowId = 'b' AND TaskQueue = 'other'", ['a']],
    ["(WorkflowId = 'a' OR WorkflowId = 'b') AND TaskQueue = 'jml'", ['a', 'b']],
    ['`EmployeeId` = "E-2"', ['b']],
  ])('%s', (query, expected) => {
    expect(ids(query)).toEqual(expected);
  });

  it('treats keywords case-insensitively', () => {
    expect(ids("WorkflowId = 'a' or WorkflowId in ('b') and not WorkflowId = 'x'")).toEqual(['a', 'b']);
  });

  it('reads KeywordList "=" as contains and IN as any-of', () => {
    expect(ids("Apps = 'github'")).toEqual(['a']);
    expect(ids("Apps IN ('canva', 'github')")).toEqual(['a', 'b']);
    expect(ids("Apps != 'github'")).toEqual(['b']);
    expect(ids("Apps NOT IN ('slack')")).toEqual(['b']);
  });

  it('never selects runs without the attribute, as SQL NULL comparisons are unknown', () => {
    expect(ids("EmployeeId != 'E-1'")).toEqual(['b', 'c']);
    expect(ids("NOT EmployeeId = 'E-1'")).toEqual(['b', 'c']);
    expect(ids('Attempts < 100')).toEqual(['a', 'b']);
    expect(ids("EmployeeId = 'nope' OR WorkflowId = 'd'")).toEqual(['d']);
  });

  it('compares numbers, booleans and times by type', () => {
    expect(ids('Attempts >= 2')).toEqual(['a']);
    expect(ids('Attempts BETWEEN 1 AND 3')).toEqual(['a', 'b']);
    expect(ids('Score > 1.25')).toEqual(['a']);
    expect(ids('Breached = false')).toEqual(['b']);
    expect(ids('Breached = TRUE')).toEqual(['a']);
    expect(ids('Deadline < "2026-11-05T12:00:01Z"')).toEqual(['a']);
    expect(ids('Deadline = "2026-11-05T13:00:00+01:00"')).toEqual(['a']);
    expect(ids(`StartTime > ${(T0 + 5) * 1e6}`)).toEqual(['c', 'd']);
    expect(ids("CloseTime BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-01T00:30:00Z'")).toEqual(['c']);
  });

  it('computes ExecutionDuration for closed runs from nanoseconds or duration strings', () => {
    expect(ids("ExecutionDuration > '30m'")).toEqual(['b']);
    expect(ids("ExecutionDuration < '00:02:00'")).toEqual(['c']);
    expect(ids(`ExecutionDuration = ${60e9}`)).toEqual(['c']);
  });

  it('matches Text attributes on words, case-insensitively', () => {
    expect(ids("Notes = 'finance'")).toEqual(['a']);
    expect(ids("Notes = 'finance TEAM'")).toEqual(['a']);
    expect(ids("Notes = 'finance legal'")).toEqual([]);
    expect(ids("Notes != 'legal'")).toEqual(['a']);
  });

  it('decodes quotes and escapes in both string styles', () => {
    const r = rec('q', { searchAttributes: { EmployeeId: `it's "x"\\\n` } });
    for (const q of [
      `EmployeeId = 'it\\'s "x"\\\\\\n'`,
      `EmployeeId = "it's \\"x\\"\\\\\\n"`,
      `EmployeeId = 'it''s "x"\\\\\\n'`,
    ]) {
      expect(compileVisibilityQuery(q, TYPES).matches(r)).toBe(true);
    }
  });
});

describe('compileVisibilityQuery: GROUP BY', () => {
  it('takes GROUP BY ExecutionStatus after a filter or alone', () => {
    expect(compileVisibilityQuery("WorkflowId = 'x' GROUP BY ExecutionStatus", TYPES).groupBy).toBe('ExecutionStatus');
    expect(compileVisibilityQuery('GROUP BY ExecutionStatus', TYPES).groupBy).toBe('ExecutionStatus');
    expect(compileVisibilityQuery("WorkflowId = 'x'", TYPES).groupBy).toBeUndefined();
  });
});

describe('compileVisibilityQuery: ORDER BY', () => {
  it('sorts by a field, descending, with missing values last', () => {
    expect(ids('ORDER BY Attempts DESC')).toEqual(['a', 'b', 'c', 'd']);
    expect(ids('ORDER BY Attempts ASC')).toEqual(['b', 'a', 'c', 'd']);
    expect(ids("ExecutionStatus != 'Completed' ORDER BY StartTime DESC")).toEqual(['d', 'c', 'a']);
  });

  it('breaks ties with the next item', () => {
    expect(ids('ORDER BY WorkflowType, StartTime DESC')).toEqual(['d', 'c', 'a', 'b']);
  });

  it('returns no comparator without ORDER BY', () => {
    expect(compileVisibilityQuery("WorkflowId = 'a'", TYPES).compare).toBeUndefined();
  });
});

describe('compileVisibilityQuery: errors name the position and the problem', () => {
  it.each([
    ["Nope = 'x'", 0, /'Nope' is not a valid search attribute/],
    ["workflowId = 'x'", 0, /not a valid search attribute/],
    ["WorkflowId = 'x' AND Attempts = '3'", 32, /invalid value "3" for search attribute Attempts of type Int/],
    ['EmployeeId = 5', 13, /invalid value 5 for search attribute EmployeeId of type Keyword/],
    ["Breached = 'true'", 11, /of type Bool/],
    ['EmployeeId = abc', 13, /did you forget to quote 'abc'/],
    ["Notes > 'x'", 6, /operator '>' is not allowed for Text search attribute Notes/],
    ["Apps STARTS_WITH 's'", 5, /operator 'STARTS_WITH' is not allowed for KeywordList/],
    ['Attempts STARTS_WITH 1', 9, /operator 'STARTS_WITH' is not allowed for Int/],
    ['Breached BETWEEN false AND true', 9, /range condition on search attribute Breached of type Bool/],
    ["ExecutionStatus = 'Sleeping'", 18, /invalid ExecutionStatus value "Sleeping"/],
    ["Deadline > 'yesterday'", 11, /unable to parse datetime "yesterday"/],
    ["ExecutionDuration > 'a while'", 20, /invalid duration/],
    ["WorkflowId = 'x", 13, /unterminated string/],
    ['`WorkflowId = 1', 0, /unterminated backquoted name/],
    ["WorkflowId == 'x'", 12, /expected a value, found '='/],
    ["WorkflowId LIKE 'x%'", 11, /LIKE is not supported/],
    ["WorkflowId = 'x' LIMIT 5", 17, /LIMIT is not supported/],
    ["WorkflowId = 'x' GROUP BY WorkflowType", 26, /GROUP BY supports only a single field: ExecutionStatus/],
    ['GROUP BY ExecutionStatus, WorkflowType', 9, /GROUP BY supports only a single field/],
    ["(WorkflowId = 'x'", 17, /expected '\)', found the end of the query/],
    ["WorkflowId = 'x' WorkflowId = 'y'", 17, /expected AND, OR, GROUP BY, ORDER BY or the end/],
    ['WorkflowId', 10, /expected an operator/],
    ['WorkflowId NOT = 1', 15, /expected IN, BETWEEN or STARTS_WITH after NOT/],
    ["lower(WorkflowId) = 'x'", 0, /function calls are not supported/],
    ['ORDER BY Notes', 9, /cannot sort by Text search attribute Notes/],
    ["WorkflowId = 'x' ORDER WorkflowId", 23, /expected BY/],
    ['WorkflowId = #', 13, /unexpected character '#'/],
  ])('%s', (query, position, message) => {
    const err = error(query);
    expect(err.position).toBe(position);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`at position ${position}`);
  });
});
