/**
 * The canonical HR lifecycle event: what `POST /v1/hr/events` accepts (directly or through an
 * HR adapter) and what the `employee-<id>` workflow receives as a signal.
 */
import { z } from 'zod';
import { EmployeeRecordSchema, hrId } from './employee';
import { hrText } from './text';

export const HR_EVENT_TYPES = ['hire', 'update', 'terminate', 'rehire', 'cancel'] as const;
export type HrEventType = (typeof HR_EVENT_TYPES)[number];

const isoWithOffset = z.iso.datetime({ offset: true });

export const HrEventSchema = z
  .strictObject({
    /** Idempotency key: a repeated delivery with the same id changes nothing. */
    eventId: hrId(200),
    /** Omitted: derived from the snapshot (`employee.status`) by the employee workflow. */
    type: z.enum(HR_EVENT_TYPES).optional(),
    /** When the change takes effect, with an explicit offset (`2026-12-04T17:00:00+01:00`). */
    effectiveAt: isoWithOffset,
    /** HR's per-employee change counter; orders events when present. */
    sequence: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    /** When HR recorded the change; orders events when `sequence` is absent. */
    occurredAt: isoWithOffset.optional(),
    /** With `type: cancel`: the pending (future-dated) event it withdraws. */
    cancelsEventId: hrId(200).optional(),
    /** Who or what in HR initiated it (audit). */
    initiator: hrText().max(200).optional(),
    /** Which HR system or adapter produced it. */
    source: hrText().max(100).optional(),
    employee: EmployeeRecordSchema,
  })
  .refine((e) => e.type !== 'cancel' || e.cancelsEventId !== undefined, {
    message: 'a cancel event needs cancelsEventId (the eventId of the pending event it withdraws)',
    path: ['cancelsEventId'],
  });

export type HrEvent = z.infer<typeof HrEventSchema>;
