/**
 * The canonical format: the body is one `HrEvent` (lib/hr/event.ts) as is. Without `type` it
 * is a snapshot and the employee workflow derives the transition from `employee.status`.
 */
import type { AdapterResult, HrAdapter } from './types';

export const canonicalAdapter: HrAdapter = {
  name: 'canonical',
  description: 'The canonical HR event (HrEvent): eventId, type?, effectiveAt, sequence | occurredAt, employee',
  maxEvents: 1,
  adapt(payload): AdapterResult {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return { ok: false, issues: ['(body): expected a JSON object (one HR event)'] };
    }
    return { ok: true, events: [{ event: payload as Record<string, unknown>, fingerprint: payload }] };
  },
};
