import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HrEventSchema } from '../../../../lib/hr/event';
import {
  bambooHrAdapter,
  canonicalAdapter,
  scimBulkAdapter,
  type AdapterResult,
} from '../../../../workers/api/adapters';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8'));
const ctx = { receivedAt: new Date('2026-11-20T12:00:00Z'), timeZone: 'Europe/Berlin' };

function events(result: AdapterResult) {
  if (!result.ok) throw new Error(result.issues.join('\n'));
  return result.events.map((e) => HrEventSchema.parse(e.event));
}

describe('BambooHR adapter', () => {
  test('global webhook: English field names become a snapshot; a past termination date becomes terminated now', () => {
    const [grace, alan] = events(bambooHrAdapter.adapt(fixture('bamboohr-global.json'), ctx));
    expect(grace).toEqual({
      eventId: 'bamboohr:113:2026-11-20T09:15:02_00:00',
      effectiveAt: '2026-11-20T09:15:02+00:00',
      occurredAt: '2026-11-20T09:15:02+00:00',
      source: 'bamboohr',
      employee: {
        employeeId: '113',
        givenName: 'Grace',
        familyName: 'Hopper',
        preferredName: 'Amazing Grace',
        workEmail: 'grace.hopper@example.com',
        title: 'Staff Engineer',
        department: 'Engineering',
        division: 'R&D',
        location: 'Berlin',
        employmentType: 'FULL_TIME',
        status: 'active',
        timeZone: 'Europe/Berlin',
        startDate: '2019-03-01',
        custom: { ShirtSize: 'M', employeeNumber: '1042' },
      },
    });
    expect(alan).toMatchObject({
      effectiveAt: '2026-11-20T09:16:40+00:00',
      employee: { employeeId: '114', status: 'terminated', endDate: '2026-11-18' },
    });
    expect(alan.type).toBeUndefined();
  });

  test('permissioned webhook: API names and {value, previous} pairs; a future hire date becomes a dated hire', () => {
    const [kj] = events(bambooHrAdapter.adapt(fixture('bamboohr-permissioned.json'), ctx));
    expect(kj).toMatchObject({
      eventId: 'bamboohr:207:2026-11-20T10:00:00_00:00',
      type: 'hire',
      effectiveAt: '2026-12-07T00:00:00+01:00',
      employee: {
        employeeId: '207',
        givenName: 'Katherine',
        employmentType: 'PART_TIME',
        managerId: '113',
        status: 'active',
        startDate: '2026-12-07',
      },
    });
  });

  test('a termination date still ahead becomes a terminate at the end of that local day', () => {
    const payload = {
      employees: [
        {
          id: '9',
          action: 'Updated',
          timestamp: '2026-11-20T08:00:00+00:00',
          fields: { 'First Name': 'A', 'Last Name': 'B', 'Termination Date': '2026-11-27', Status: 'Active' },
        },
      ],
    };
    const [e] = events(bambooHrAdapter.adapt(payload, ctx));
    expect(e).toMatchObject({
      type: 'terminate',
      effectiveAt: '2026-11-28T00:00:00+01:00',
      employee: { status: 'terminated', endDate: '2026-11-27' },
    });
  });

  test('a Deleted action means the person is gone', () => {
    const payload = { employees: [{ id: '9', action: 'Deleted', fields: { 'First Name': 'A', 'Last Name': 'B' } }] };
    const [e] = events(bambooHrAdapter.adapt(payload, ctx));
    expect(e.employee.status).toBe('terminated');
    // No timestamp: the id is content-addressed so a redelivery maps to the same eventId.
    expect(e.eventId).toMatch(/^bamboohr:9:[0-9a-f]{24}$/);
  });

  test('structural errors name the field', () => {
    expect(bambooHrAdapter.adapt({ employees: [{ action: 'Updated' }] }, ctx)).toEqual({
      ok: false,
      issues: ['employees[0].id: invalid input', 'employees[0].fields: required (expected record)'],
    });
  });
});

describe('SCIM bulk (Entra API-driven inbound provisioning) adapter', () => {
  test('core + enterprise attributes map onto the employee record', () => {
    const [babs, kim] = events(scimBulkAdapter.adapt(fixture('entra-bulk.json'), ctx));
    expect(babs).toMatchObject({
      effectiveAt: '2026-11-20T12:00:00.000+00:00',
      source: 'scim-bulk',
      employee: {
        employeeId: '701984',
        userName: 'bjensen@example.com',
        givenName: 'Barbara',
        familyName: 'Jensen',
        preferredName: 'Babs',
        displayName: 'Babs Jensen',
        workEmail: 'bjensen@example.com',
        personalEmail: 'babs@jensen.org',
        phone: '555-555-5555',
        title: 'Tour Guide',
        department: 'Tour Operations',
        division: 'Theme Park',
        costCenter: '4130',
        location: 'Hollywood',
        managerId: '26118915-6090-4610-87e4-49d8ca9f808d',
        status: 'active',
        timeZone: 'America/Los_Angeles',
      },
    });
    expect(babs.type).toBeUndefined();
    expect(kim).toMatchObject({
      type: 'hire',
      effectiveAt: '2026-12-07T00:00:00+01:00',
      employee: { employeeId: '701985', startDate: '2026-12-07' },
    });
    expect(kim.employee.endDate).toBeUndefined();
  });

  test('the eventId is content-addressed: the same snapshot gives the same id, a change a new one', () => {
    const first = events(scimBulkAdapter.adapt(fixture('entra-bulk.json'), ctx))[0];
    const again = events(
      scimBulkAdapter.adapt(fixture('entra-bulk.json'), { ...ctx, receivedAt: new Date('2026-11-21T00:00:00Z') }),
    )[0];
    const changed = fixture('entra-bulk.json') as { Operations: { data: { title: string } }[] };
    changed.Operations[0].data.title = 'Head Guide';
    expect(again.eventId).toBe(first.eventId);
    expect(events(scimBulkAdapter.adapt(changed, ctx))[0].eventId).not.toBe(first.eventId);
  });

  test("a user's own timezone decides when its hire date begins", () => {
    const payload = fixture('entra-bulk.json') as { Operations: { data: Record<string, unknown> }[] };
    payload.Operations[1].data.timezone = 'America/New_York';
    const kim = events(scimBulkAdapter.adapt(payload, ctx))[1];
    expect(kim).toMatchObject({
      type: 'hire',
      effectiveAt: '2026-12-07T00:00:00-05:00',
      employee: { timeZone: 'America/New_York' },
    });
  });

  test('active: false is a leaver snapshot', () => {
    const payload = fixture('entra-bulk.json') as { Operations: { data: { active: boolean } }[] };
    payload.Operations[0].data.active = false;
    expect(events(scimBulkAdapter.adapt(payload, ctx))[0].employee.status).toBe('terminated');
  });

  test('rejects other messages, methods and paths with the field named', () => {
    const bad = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ method: 'DELETE', path: '/Groups', bulkId: 'x', data: {} }],
    };
    expect(scimBulkAdapter.adapt(bad, ctx)).toEqual({
      ok: false,
      issues: [
        'schemas: must include "urn:ietf:params:scim:api:messages:2.0:BulkRequest"',
        'Operations[0].method: only POST operations are accepted (each one is a full snapshot)',
        'Operations[0].path: only "/Users" is accepted',
      ],
    });
  });
});

describe('canonical adapter', () => {
  test('passes one event object through; rejects anything else', () => {
    const event = fixture('canonical-hire.json');
    expect(canonicalAdapter.adapt(event, ctx)).toEqual({ ok: true, events: [{ event, fingerprint: event }] });
    expect(canonicalAdapter.adapt([event], ctx)).toEqual({
      ok: false,
      issues: ['(body): expected a JSON object (one HR event)'],
    });
  });
});
