/**
 * An HR roster, as `POST /v1/hr/roster` accepts it: a snapshot of people from an HR system
 * that sends whole lists instead of (or as well as) events. `full: true` says it is the whole
 * company, so the people this product knows who are missing from it have left.
 */
import { z } from 'zod';
import { EmployeeRecordSchema, hrId } from './employee';
import { hrText } from './text';

/** People per roster request (a larger company sends several partial rosters, or raises it with care). */
export const MAX_ROSTER_EMPLOYEES = 50_000;

export const RosterSchema = z.strictObject({
  /**
   * Idempotency key of the roster: a re-delivery with the same id changes nothing; each person's
   * event is `roster-<rosterId>-<employeeId>`. At most 64 characters.
   */
  rosterId: hrId(64),
  /** The whole company (people missing from it are terminated, through the mass-change guard), or a part. */
  full: z.boolean(),
  /** When HR produced the snapshot; default: when the API received it. */
  asOf: z.iso.datetime({ offset: true }).optional(),
  /** Which HR system or export produced it (audit). */
  source: hrText().max(100).optional(),
  employees: z
    .array(EmployeeRecordSchema)
    .min(1, 'a roster lists at least one person (an empty full roster would terminate everyone)')
    .max(MAX_ROSTER_EMPLOYEES, `at most ${MAX_ROSTER_EMPLOYEES} people per roster; send partial rosters`),
});

export type Roster = z.infer<typeof RosterSchema>;
