/** Reading roster files: every bad row reported with row, field and fix; the good rows kept. */
import { parseCsv, parseRoster, RosterFileError } from '../../lib/roster';

describe('CSV rosters', () => {
  it('maps the header to the HR record, custom.<name> columns to custom, and keeps quoted commas', () => {
    const csv = [
      'employeeId,givenName,familyName,workEmail,status,department,custom.badgeId',
      'E1,Ada,Lovelace,ada@example.com,active,Engineering,B-1',
      '"E2","Grace","Hopper, Jr.",grace@example.com,active,,',
      '',
    ].join('\r\n');
    const { employees, errors } = parseRoster(csv, 'csv');
    expect(errors).toEqual([]);
    expect(employees).toEqual([
      {
        row: 2,
        record: {
          employeeId: 'E1',
          givenName: 'Ada',
          familyName: 'Lovelace',
          workEmail: 'ada@example.com',
          status: 'active',
          department: 'Engineering',
          custom: { badgeId: 'B-1' },
        },
      },
      // Empty cells are absent fields.
      {
        row: 3,
        record: {
          employeeId: 'E2',
          givenName: 'Grace',
          familyName: 'Hopper, Jr.',
          workEmail: 'grace@example.com',
          status: 'active',
        },
      },
    ]);
  });

  it('reports each bad row with its line, field and fix, and keeps the others', () => {
    const csv = [
      'employeeId,givenName,familyName,workEmail,status',
      'E1,Ada,Lovelace,ada@example.com,active',
      'E2,,Hopper,not-an-email,retired',
      'E3,Alan,Turing,alan@example.com,active,extra',
      'E1,Ada,Again,ada2@example.com,active',
      'bad id,Kat,Johnson,kat@example.com,active',
      'E6,Mary,Jackson,mary@example.com,active',
    ].join('\n');
    const { employees, errors } = parseRoster(csv, 'csv');
    expect(employees.map((e) => e.record.employeeId)).toEqual(['E1', 'E6']);
    expect(errors.map((e) => [e.row, e.employeeId, e.field])).toEqual([
      [3, 'E2', 'givenName'],
      [3, 'E2', 'workEmail'],
      [3, 'E2', 'status'],
      [4, undefined, '(row)'],
      [5, 'E1', 'employeeId'],
      [6, 'bad id', 'employeeId'],
    ]);
    expect(errors[0]!.message).toMatch(/givenName is required/);
    expect(errors[2]!.message).toMatch(/active/); // names the allowed values
    expect(errors[3]!.message).toMatch(/6 cells for 5 columns; quote values/);
    expect(errors[4]!.message).toMatch(/row 2 has the same employeeId/);
    expect(errors[5]!.message).toMatch(/letters, digits/);
  });

  it('refuses a file whose header names unknown columns, naming them and the valid ones', () => {
    expect(() => parseRoster('employeeId,firstName\nE1,Ada\n', 'csv')).toThrow(RosterFileError);
    expect(() => parseRoster('employeeId,firstName\nE1,Ada\n', 'csv')).toThrow(
      /unknown column\(s\) "firstName".*givenName/,
    );
    expect(() => parseRoster('', 'csv')).toThrow(/no header row/);
  });

  it('parses RFC 4180 quoting: doubled quotes and line breaks inside quotes', () => {
    expect(parseCsv('a,"b ""q""","c\nd"\ne,f,g')).toEqual([
      { line: 1, cells: ['a', 'b "q"', 'c\nd'] },
      { line: 3, cells: ['e', 'f', 'g'] },
    ]);
  });
});

describe('JSON rosters', () => {
  it('accepts an array or { employees: [...] } and reports bad items by position and field', () => {
    const good = { employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', status: 'active' };
    const text = JSON.stringify({
      employees: [good, { employeeId: 'E2', givenName: 'Grace', status: 'active', nickname: 'G' }, 'nope'],
    });
    const { employees, errors } = parseRoster(text, 'json');
    expect(employees).toEqual([{ row: 1, record: good }]);
    expect(errors.map((e) => [e.row, e.employeeId, e.field])).toEqual([
      [2, 'E2', 'familyName'],
      [2, 'E2', '(row)'],
      [3, undefined, '(row)'],
    ]);
    expect(errors[1]!.message).toMatch(/nickname.*the fields are: employeeId/);
    expect(parseRoster(JSON.stringify([good]), 'json').employees).toHaveLength(1);
  });

  it('refuses what is not a roster', () => {
    expect(() => parseRoster('{', 'json')).toThrow(/not valid JSON/);
    expect(() => parseRoster('{"people": []}', 'json')).toThrow(/array of employee records/);
  });
});
