/**
 * SCIM `BulkRequest` of users (RFC 7644 §3.7) in the shape Microsoft Entra's API-driven
 * inbound provisioning (`/bulkUpload`) accepts, so an HR integration written for Entra can
 * post here unchanged: each operation is `POST /Users` with a `bulkId` and a full user in
 * `data` (core User schema + enterprise extension, RFC 7643 §4.3). The whole record is a
 * snapshot; `active: false` means the person has left.
 */
import { z } from 'zod';
import { contentHash } from '../idempotency';
import { formatIssues } from '../problems';
import { isValidTimeZone } from './dates';
import { deriveTransition, eventIdFrom } from './transition';
import type { AdaptedEvent, AdapterContext, AdapterResult, HrAdapter } from './types';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Entra's bulkUpload limit per request. */
export const MAX_BULK_OPERATIONS = 50;

const MultiValued = z.array(
  z.object({ value: z.string().optional(), type: z.string().optional(), primary: z.boolean().optional() }).loose(),
);

const ScimUserData = z
  .object({
    externalId: z.string().min(1).optional(),
    userName: z.string().min(1).optional(),
    active: z.boolean().optional(),
    displayName: z.string().optional(),
    title: z.string().optional(),
    timezone: z.string().optional(),
    name: z.object({ givenName: z.string().optional(), familyName: z.string().optional() }).loose().optional(),
    nickName: z.string().optional(),
    emails: MultiValued.optional(),
    phoneNumbers: MultiValued.optional(),
    addresses: z.array(z.object({ locality: z.string().optional(), type: z.string().optional() }).loose()).optional(),
    userType: z.string().optional(),
  })
  .loose();

const BulkRequest = z.object({
  schemas: z
    .array(z.string())
    .refine((s) => s.includes(BULK_REQUEST_SCHEMA), { message: `must include "${BULK_REQUEST_SCHEMA}"` }),
  failOnErrors: z.number().int().optional(),
  Operations: z
    .array(
      z.object({
        method: z.string().refine((m) => m.toUpperCase() === 'POST', {
          message: 'only POST operations are accepted (each one is a full snapshot)',
        }),
        path: z.string().refine((p) => p === '/Users', { message: 'only "/Users" is accepted' }),
        bulkId: z.string().min(1),
        data: ScimUserData,
      }),
    )
    .min(1)
    .max(MAX_BULK_OPERATIONS),
});
type Operation = z.infer<typeof BulkRequest>['Operations'][number];

const EnterpriseExt = z
  .object({
    employeeNumber: z.string().optional(),
    department: z.string().optional(),
    division: z.string().optional(),
    costCenter: z.string().optional(),
    manager: z.object({ value: z.string().optional() }).loose().optional(),
  })
  .loose();

function pick(list: z.infer<typeof MultiValued> | undefined, type: string): string | undefined {
  return (
    list?.find((e) => e.type === type)?.value ??
    (type === 'work' ? (list?.find((e) => e.primary)?.value ?? undefined) : undefined)
  );
}

/** Extension attributes Entra admins add for HR dates (any extension schema, any key case). */
function extensionDates(data: Record<string, unknown>): { hireDate?: string; terminationDate?: string } {
  const out: { hireDate?: string; terminationDate?: string } = {};
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith('urn:') || value === null || typeof value !== 'object') continue;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== 'string' || v.trim() === '') continue;
      const n = k.toLowerCase();
      if (n === 'hiredate' || n === 'startdate') out.hireDate ??= v.slice(0, 10);
      if (n === 'terminationdate' || n === 'enddate' || n === 'leavedate') out.terminationDate ??= v.slice(0, 10);
    }
  }
  return out;
}

function toEvent(op: Operation, index: number, ctx: AdapterContext): AdaptedEvent {
  const data = op.data;
  const ext = EnterpriseExt.safeParse(data[ENTERPRISE_USER_SCHEMA] ?? {});
  const enterprise = ext.success ? ext.data : {};
  const dates = extensionDates(data);
  // The user's own zone decides when its dates begin (RFC 7643 §4.1.1 `timezone`, IANA name).
  const timeZone = data.timezone && isValidTimeZone(data.timezone) ? data.timezone : ctx.timeZone;
  const transition = deriveTransition({ active: data.active ?? true, ...dates }, { ...ctx, timeZone });
  const employeeId = data.externalId ?? enterprise.employeeNumber ?? op.bulkId;
  const employee = Object.fromEntries(
    Object.entries({
      employeeId,
      userName: data.userName,
      givenName: data.name?.givenName,
      familyName: data.name?.familyName,
      preferredName: data.nickName,
      displayName: data.displayName,
      workEmail: pick(data.emails, 'work'),
      personalEmail: pick(data.emails, 'home') ?? pick(data.emails, 'other'),
      phone: pick(data.phoneNumbers, 'work') ?? pick(data.phoneNumbers, 'mobile'),
      title: data.title,
      department: enterprise.department,
      division: enterprise.division,
      costCenter: enterprise.costCenter,
      location: data.addresses?.find((a) => a.type === 'work')?.locality,
      managerId: enterprise.manager?.value,
      status: transition.status,
      timeZone,
      startDate: dates.hireDate,
      endDate: dates.terminationDate,
    }).filter(([, v]) => v !== undefined),
  );
  const event: Record<string, unknown> = {
    // Content-addressed: Entra clients resend whole snapshots, and an unchanged one must be a no-op.
    eventId: eventIdFrom('scim-bulk', employeeId, contentHash(data).slice(0, 24)),
    ...(transition.type ? { type: transition.type } : {}),
    effectiveAt: transition.effectiveAt,
    source: 'scim-bulk',
    employee,
  };
  return { event, fingerprint: data, where: `Operations[${index}]` };
}

export const scimBulkAdapter: HrAdapter = {
  name: 'scim-bulk',
  description: 'SCIM BulkRequest of users as Microsoft Entra API-driven inbound provisioning sends it (RFC 7644 §3.7)',
  maxEvents: MAX_BULK_OPERATIONS,
  adapt(payload, ctx): AdapterResult {
    const parsed = BulkRequest.safeParse(payload);
    if (!parsed.success) return { ok: false, issues: formatIssues(parsed.error.issues) };
    return { ok: true, events: parsed.data.Operations.map((op, i) => toEvent(op, i, ctx)) };
  },
};
