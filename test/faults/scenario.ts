/**
 * The fault campaign's HR truth: who is hired into which department, who moves, who leaves and
 * who is under legal hold — and the events HR sends for it, including the duplicates and the
 * out-of-order deliveries a real HR system produces. Pure: the same inputs give the same plan.
 */
import type { HrEvent } from '../../lib/hr/event';

export const DEPARTMENT_APPS: Record<string, string[]> = {
  Engineering: ['slack', 'github'],
  Marketing: ['slack', 'canva'],
  Sales: ['slack'],
  // The campaign's slow app: Support leavers always breach the leaver SLA.
  Support: ['slack', 'helpdesk'],
};
const DEPARTMENTS = Object.keys(DEPARTMENT_APPS);

/** What HR says is true for one person at the end. */
export interface PersonTruth {
  employeeId: string;
  status: 'active' | 'terminated';
  department: string;
  title: string;
  legalHold: boolean;
  /** Every app the person was entitled to at some point (a leaver must be inactive in all). */
  everHad: string[];
}

export interface Scenario {
  people: PersonTruth[];
  /** Hires: the first wave. */
  hires: HrEvent[];
  /** Moves, terminations, and the stale updates that must be ignored, in posting order. */
  changes: HrEvent[];
  /** Event ids HR delivers twice (concurrently). */
  duplicated: Set<string>;
}

export function buildScenario(runId: string, count: number, now: () => string): Scenario {
  const people: PersonTruth[] = [];
  const hires: HrEvent[] = [];
  const changes: HrEvent[] = [];
  const duplicated = new Set<string>();
  for (let i = 0; i < count; i++) {
    const employeeId = `F${runId}-${i}`;
    // Departments rotate out of step with roles, so every role meets every department.
    const hiredInto = DEPARTMENTS[(i + Math.floor(i / 4)) % DEPARTMENTS.length]!;
    const record = (department: string, title: string, status: 'active' | 'terminated') => ({
      employeeId,
      givenName: 'Fault',
      familyName: `Person${i}`,
      workEmail: `${employeeId.toLowerCase()}@example.com`,
      department,
      title,
      employmentType: 'FULL_TIME',
      status,
    });
    const event = (
      type: HrEvent['type'],
      sequence: number,
      department: string,
      title: string,
      status: 'active' | 'terminated',
    ): HrEvent =>
      ({
        eventId: `${employeeId}-${type}-${sequence}`,
        type,
        effectiveAt: now(),
        sequence,
        initiator: 'fault-campaign',
        employee: record(department, title, status),
      }) as HrEvent;

    const hire = event('hire', 1, hiredInto, 'Associate', 'active');
    hires.push(hire);
    if (i % 4 === 0) duplicated.add(hire.eventId);

    const role = i % 4; // 0: stays, 1: moves, 2 and 3: leaves (3 under legal hold)
    let truth: PersonTruth = {
      employeeId,
      status: 'active',
      department: hiredInto,
      title: 'Associate',
      legalHold: false,
      everHad: [...DEPARTMENT_APPS[hiredInto]!],
    };
    if (role === 1) {
      const movedTo = DEPARTMENTS[(DEPARTMENTS.indexOf(hiredInto) + 1) % DEPARTMENTS.length]!;
      // HR's later correction arrives first; the earlier update arrives late and must be ignored.
      const final = event('update', 3, movedTo, 'Lead', 'active');
      const stale = event('update', 2, hiredInto, 'Stale title', 'active');
      changes.push(final, stale);
      if (i % 8 === 1) duplicated.add(final.eventId);
      truth = {
        ...truth,
        department: movedTo,
        title: 'Lead',
        everHad: [...new Set([...truth.everHad, ...DEPARTMENT_APPS[movedTo]!])],
      };
    } else if (role >= 2) {
      const terminate = event('terminate', 4, hiredInto, 'Associate', 'terminated');
      // A snapshot taken before the termination, delivered after it: stale, must not re-activate.
      const stale = event('update', 3, hiredInto, 'Associate', 'active');
      changes.push(terminate, stale);
      if (i % 8 === 2) duplicated.add(terminate.eventId);
      truth = { ...truth, status: 'terminated', legalHold: role === 3 };
    }
    people.push(truth);
  }
  return { people, hires, changes, duplicated };
}

/** Apps the person must have an active account in at the end. */
export function expectedActiveApps(p: PersonTruth): string[] {
  return p.status === 'active' ? DEPARTMENT_APPS[p.department]! : [];
}
