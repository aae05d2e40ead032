/**
 * Reading a roster file (`jml import --roster FILE`): CSV with a header row naming fields of the
 * canonical HR employee record, or JSON (an array of records, or `{ "employees": [...] }`).
 * Every row is validated on its own; a bad row is reported with its row, field and fix and
 * the good rows are kept, so one typo never hides the rest of the company (or silently drops
 * the row). No I/O: the caller reads the file.
 */
import { EMPLOYEE_FIELDS, EmployeeRecordSchema, type EmployeeRecord } from '../hr/employee';

export type RosterFormat = 'csv' | 'json';

/** One problem with one row (or the file as a whole: `row` 0). */
export interface RowError {
  /** CSV: the line number in the file (the header is line 1); JSON: the 1-based position in the array. */
  row: number;
  /** The employee id of the row, when it has a readable one. */
  employeeId?: string;
  /** The field (CSV column / JSON member), `(row)` for the row as a whole. */
  field: string;
  message: string;
}

export interface ParsedRoster {
  employees: { row: number; record: EmployeeRecord }[];
  errors: RowError[];
}

/** A problem that makes the whole file unreadable (no header, invalid JSON, unknown columns). */
export class RosterFileError extends Error {
  override name = 'RosterFileError';
}

/** The format from the file name (`.csv`, `.json`), for the CLI. */
export function rosterFormatOf(file: string): RosterFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}

export function parseRoster(text: string, format: RosterFormat): ParsedRoster {
  return format === 'csv' ? parseCsvRoster(text) : parseJsonRoster(text);
}

/** Validates raw rows (objects) into records, collecting per-row, per-field errors and duplicate ids. */
function validateRows(rows: { row: number; value: unknown }[]): ParsedRoster {
  const employees: ParsedRoster['employees'] = [];
  const errors: RowError[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, value } of rows) {
    const rawId = (value as { employeeId?: unknown } | null)?.employeeId;
    const employeeId = typeof rawId === 'string' && rawId ? rawId : undefined;
    const parsed = EmployeeRecordSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length ? issue.path.join('.') : '(row)';
        errors.push({ row, employeeId, field, message: fixHint(issue.message, field) });
      }
      continue;
    }
    const first = firstRowOf.get(parsed.data.employeeId);
    if (first !== undefined) {
      errors.push({
        row,
        employeeId: parsed.data.employeeId,
        field: 'employeeId',
        message: `duplicate: row ${first} has the same employeeId; keep one row per person`,
      });
      continue;
    }
    firstRowOf.set(parsed.data.employeeId, row);
    employees.push({ row, record: parsed.data });
  }
  return { employees, errors };
}

/** zod's message plus what to do about it, where zod does not say. */
function fixHint(message: string, field: string): string {
  if (/unrecognized key/i.test(message))
    return `${message}; the fields are: ${EMPLOYEE_FIELDS.join(', ')} (and custom.<name>)`;
  if (/received undefined/i.test(message) || /^Required$/i.test(message))
    return `${field} is required; fill it in (the canonical HR record needs it)`;
  return message;
}

// ---------------------------------------------------------------------------------------------
// JSON

function parseJsonRoster(text: string): ParsedRoster {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new RosterFileError(`not valid JSON — ${(err as Error).message}`);
  }
  const list = Array.isArray(json) ? json : (json as { employees?: unknown } | null)?.employees;
  if (!Array.isArray(list))
    throw new RosterFileError('a JSON roster is an array of employee records, or an object { "employees": [ ... ] }');
  return validateRows(list.map((value, i) => ({ row: i + 1, value })));
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180: quoted fields, "" inside quotes, CRLF or LF, a header row)

const FIELD_NAMES = new Set<string>(EMPLOYEE_FIELDS);

function parseCsvRoster(text: string): ParsedRoster {
  const lines = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = lines.shift();
  if (!header || header.cells.every((c) => c.trim() === ''))
    throw new RosterFileError('the CSV has no header row; the first line names the fields (employeeId,givenName,…)');
  const columns = header.cells.map((c) => c.trim());
  const unknown = columns.filter((c) => c !== '' && !FIELD_NAMES.has(c) && !/^custom\.[^.]+$/.test(c));
  if (unknown.length > 0)
    throw new RosterFileError(
      `line 1: unknown column(s) ${unknown.map((c) => `"${c}"`).join(', ')}; columns are fields of the HR record (${EMPLOYEE_FIELDS.filter((f) => f !== 'custom').join(', ')}) or custom.<name>`,
    );
  const repeated = columns.filter((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (repeated.length > 0)
    throw new RosterFileError(`line 1: column(s) named twice: ${[...new Set(repeated)].join(', ')}`);

  const rows: { row: number; value: unknown }[] = [];
  const errors: RowError[] = [];
  for (const line of lines) {
    if (line.cells.length === 1 && line.cells[0]!.trim() === '') continue; // blank line
    if (line.cells.length !== columns.length) {
      errors.push({
        row: line.line,
        field: '(row)',
        message: `${line.cells.length} cells for ${columns.length} columns; quote values that contain commas ("Smith, Jr.")`,
      });
      continue;
    }
    const value: Record<string, unknown> = {};
    const custom: Record<string, string> = {};
    columns.forEach((column, i) => {
      const cell = line.cells[i]!.trim();
      // An empty cell is an absent field (CSV cannot say "empty string"); required ones are then reported.
      if (column === '' || cell === '') return;
      if (column.startsWith('custom.')) custom[column.slice('custom.'.length)] = cell;
      else value[column] = cell;
    });
    if (Object.keys(custom).length > 0) value.custom = custom;
    rows.push({ row: line.line, value });
  }
  const validated = validateRows(rows);
  return { employees: validated.employees, errors: [...errors, ...validated.errors].sort((a, b) => a.row - b.row) };
}

/** Splits CSV text into records of cells, each with the line it starts on. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    records.push({ line: startLine, cells });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else {
      cell += ch;
    }
    i++;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}
