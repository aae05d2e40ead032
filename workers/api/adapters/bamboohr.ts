/**
 * BambooHR webhooks (global and permissioned). The body is
 * `{ "employees": [{ "id", "action": "Created|Updated|Deleted", "timestamp", "changedFields",
 * "fields": { ... } }] }`; `fields` holds the posted fields under BambooHR's English names
 * ("First Name", "Work Email") for global webhooks or API names (`firstName`, `workEmail`) for
 * permissioned ones, so both are matched after normalising the key.
 */
import { z } from 'zod';
import { contentHash } from '../idempotency';
import { formatIssues } from '../problems';
import { deriveTransition, eventIdFrom } from './transition';
import type { AdaptedEvent, AdapterContext, AdapterResult, HrAdapter } from './types';

const BambooPayload = z.object({
  employees: z
    .array(
      z.object({
        id: z.union([z.string().min(1), z.number().int()]),
        action: z.string().optional(),
        timestamp: z.string().optional(),
        changedFields: z.array(z.string()).optional(),
        fields: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1),
});
type BambooEmployee = z.infer<typeof BambooPayload>['employees'][number];

/** Normalised BambooHR field name → canonical employee field. */
const FIELD_ALIASES: Record<string, string> = {
  firstname: 'givenName',
  lastname: 'familyName',
  preferredname: 'preferredName',
  displayname: 'displayName',
  workemail: 'workEmail',
  homeemail: 'personalEmail',
  jobtitle: 'title',
  department: 'department',
  division: 'division',
  location: 'location',
  mobilephone: 'phone',
  workphone: 'phone',
  employee: 'employeeNumber',
  employeenumber: 'employeeNumber',
  hiredate: 'hireDate',
  terminationdate: 'terminationDate',
  status: 'bambooStatus',
  employmentstatus: 'employmentStatus',
  employmenthistorystatus: 'employmentStatus',
  supervisoreid: 'managerId',
  supervisorid: 'managerId',
  supervisoremail: 'managerEmail',
  costcenter: 'costCenter',
};

const EMPLOYMENT_TYPES: Record<string, string> = {
  fulltime: 'FULL_TIME',
  parttime: 'PART_TIME',
  contractor: 'CONTRACTOR',
  intern: 'INTERN',
  temporary: 'TEMPORARY',
};

const normalise = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Permissioned webhooks may post `{ value, previous }` pairs instead of plain values. */
function plain(value: unknown): string | undefined {
  const v =
    value !== null && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  // BambooHR posts "0000-00-00" for an empty date field.
  return s === '' || s === '0000-00-00' ? undefined : s;
}

function collectFields(fields: Record<string, unknown>): {
  known: Record<string, string>;
  custom: Record<string, string>;
} {
  const known: Record<string, string> = {};
  const custom: Record<string, string> = {};
  for (const [key, raw] of Object.entries(fields)) {
    const value = plain(raw);
    if (value === undefined) continue;
    const target = FIELD_ALIASES[normalise(key)];
    if (target) known[target] ??= value;
    else custom[key.replace(/[^A-Za-z0-9_]/g, '')] = value;
  }
  return { known, custom };
}

function employmentType(status: string | undefined): string | undefined {
  return status ? EMPLOYMENT_TYPES[normalise(status)] : undefined;
}

/** HR says the person is gone: Status Inactive, Employment Status Terminated, or the record deleted. */
function isActive(item: BambooEmployee, known: Record<string, string>): boolean {
  if (item.action?.toLowerCase() === 'deleted') return false;
  return known.bambooStatus?.toLowerCase() !== 'inactive' && normalise(known.employmentStatus ?? '') !== 'terminated';
}

function employeeRecord(
  item: BambooEmployee,
  known: Record<string, string>,
  custom: Record<string, string>,
  status: string,
  timeZone: string,
) {
  const extra = known.employeeNumber ? { ...custom, employeeNumber: known.employeeNumber } : custom;
  return dropUndefined({
    employeeId: String(item.id),
    givenName: known.givenName,
    familyName: known.familyName,
    preferredName: known.preferredName,
    displayName: known.displayName,
    workEmail: known.workEmail,
    personalEmail: known.personalEmail,
    phone: known.phone,
    title: known.title,
    department: known.department,
    division: known.division,
    location: known.location,
    costCenter: known.costCenter,
    managerId: known.managerId,
    managerEmail: known.managerEmail,
    employmentType: employmentType(known.employmentStatus),
    status,
    timeZone,
    startDate: known.hireDate,
    endDate: known.terminationDate,
    custom: Object.keys(extra).length > 0 ? extra : undefined,
  });
}

function toEvent(item: BambooEmployee, index: number, ctx: AdapterContext): AdaptedEvent {
  const { known, custom } = collectFields(item.fields);
  const changedAt = normaliseTimestamp(item.timestamp);
  const transition = deriveTransition(
    { active: isActive(item, known), hireDate: known.hireDate, terminationDate: known.terminationDate, changedAt },
    ctx,
  );
  const event = {
    eventId: eventIdFrom('bamboohr', String(item.id), item.timestamp ?? contentHash(item).slice(0, 24)),
    ...(transition.type ? { type: transition.type } : {}),
    effectiveAt: transition.effectiveAt,
    occurredAt: changedAt,
    source: 'bamboohr',
    employee: employeeRecord(item, known, custom, transition.status, ctx.timeZone),
  };
  return { event: dropUndefined(event), fingerprint: item, where: `employees[${index}]` };
}

/** BambooHR timestamps look like `2026-11-22T18:04:05+00:00`; anything else is not trusted for ordering. */
function normaliseTimestamp(value: string | undefined): string | undefined {
  if (!value || Number.isNaN(Date.parse(value)) || !/[+-]\d{2}:\d{2}$|Z$/.test(value)) return undefined;
  return value.endsWith('Z') ? value.replace('Z', '+00:00') : value;
}

function dropUndefined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

export const bambooHrAdapter: HrAdapter = {
  name: 'bamboohr',
  description: 'BambooHR global or permissioned webhook ({ employees: [{ id, action, timestamp, fields }] })',
  maxEvents: 100,
  adapt(payload, ctx): AdapterResult {
    const parsed = BambooPayload.safeParse(payload);
    if (!parsed.success) return { ok: false, issues: formatIssues(parsed.error.issues) };
    return { ok: true, events: parsed.data.employees.map((item, i) => toEvent(item, i, ctx)) };
  },
};
