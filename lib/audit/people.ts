/**
 * The people directory: each person's display fields (name, department, HR status) as of the
 * newest milestone hand-off, so the console can list and search people by name. A convenience
 * index beside the evidence, not evidence: rows are upserted (newest wins), not chained, and
 * `jml audit verify` / `jml audit export` never read them. Names are personal data: they are
 * written and read here only, never logged.
 */
import type { Sql } from './db';

export interface PersonEntry {
  employeeId: string;
  displayName: string;
  department?: string;
  /** HR status of the record (`active`, `terminated`, …). */
  status?: string;
  /** Workflow time the fields are as of: an older write never overwrites a newer one. */
  asOfMs: number;
}

export interface PersonRow {
  employeeId: string;
  /** Absent for people whose records predate the directory (until their next milestone). */
  displayName?: string;
  department?: string;
  status?: string;
}

export interface PeopleQuery {
  /** Case-insensitive substring of the employee id, the name or the department. */
  q?: string;
  offset?: number;
  limit?: number;
}

export async function upsertPerson(db: Sql, p: PersonEntry): Promise<void> {
  await db.query(
    `INSERT INTO people (employee_id, display_name, department, status, as_of, updated_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (employee_id) DO UPDATE SET display_name = EXCLUDED.display_name, department = EXCLUDED.department,
       status = EXCLUDED.status, as_of = EXCLUDED.as_of, updated_at = now()
     WHERE people.as_of <= EXCLUDED.as_of`,
    [p.employeeId, p.displayName, p.department ?? null, p.status ?? null, new Date(p.asOfMs).toISOString()],
  );
}

/** One person's directory entry, if the store has one. */
export async function personById(db: Sql, employeeId: string): Promise<PersonRow | undefined> {
  const { rows } = await db.query<{ display_name: string; department: string | null; status: string | null }>(
    'SELECT display_name, department, status FROM people WHERE employee_id = $1',
    [employeeId],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    employeeId,
    displayName: r.display_name,
    ...(r.department === null ? {} : { department: r.department }),
    ...(r.status === null ? {} : { status: r.status }),
  };
}

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of people on record — everyone with audit records (reconciliation chains are apps,
 * not people) joined with the directory — ordered by name, then id; and how many match.
 */
export async function findPeople(db: Sql, query: PeopleQuery = {}): Promise<{ people: PersonRow[]; total: number }> {
  const q = query.q?.trim().toLowerCase();
  const where = q
    ? `WHERE ${['e.employee_id', 'p.display_name', 'p.department']
        .map((c) => `lower(coalesce(${c}, '')) LIKE $1 ESCAPE '\\'`)
        .join(' OR ')}`
    : '';
  return findPeopleWhere(db, where, q ? [`%${likeEscape(q)}%`] : [], query.limit ?? 50, query.offset ?? 0);
}

const EVERYONE = `(SELECT employee_id FROM people UNION SELECT DISTINCT employee_id FROM audit_records WHERE kind <> 'reconciliation') e
     LEFT JOIN people p ON p.employee_id = e.employee_id`;

async function findPeopleWhere(
  db: Sql,
  where: string,
  params: unknown[],
  limit: number,
  offset: number,
): Promise<{ people: PersonRow[]; total: number }> {
  const n = params.length;
  const { rows } = await db.query<{
    employee_id: string;
    display_name: string | null;
    department: string | null;
    status: string | null;
    total: string | number;
  }>(
    `SELECT e.employee_id, p.display_name, p.department, p.status, count(*) OVER () AS total FROM ${EVERYONE} ${where}
     ORDER BY lower(coalesce(p.display_name, e.employee_id)), e.employee_id LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...params, Math.max(1, limit), Math.max(0, offset)],
  );
  // Past the last page no row carries the window count: count apart.
  const total =
    rows.length > 0
      ? Number(rows[0]!.total)
      : offset > 0
        ? Number(
            (await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${EVERYONE} ${where}`, params)).rows[0]
              ?.n ?? 0,
          )
        : 0;
  return {
    people: rows.map((r) => ({
      employeeId: r.employee_id,
      ...(r.display_name === null ? {} : { displayName: r.display_name }),
      ...(r.department === null ? {} : { department: r.department }),
      ...(r.status === null ? {} : { status: r.status }),
    })),
    total,
  };
}
