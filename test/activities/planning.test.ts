import path from 'node:path';
import { planFor } from '../../activities/planning';
import { loadConfig } from '../../lib/config';
import type { EmployeeRecord } from '../../lib/hr/employee';

const CONFIG_DIR = path.join(__dirname, '..', '..', 'config');

const engineer: EmployeeRecord = {
  employeeId: 'E100',
  givenName: 'Ada',
  familyName: 'Lovelace',
  workEmail: 'ada@example.com',
  department: 'Engineering',
  employmentType: 'FULL_TIME',
  status: 'active',
};

describe('planFor (the shipped config)', () => {
  it('turns policy and connectors into the plan a lifecycle run needs', async () => {
    const config = await loadConfig(CONFIG_DIR);
    const plan = planFor(config, engineer);
    expect(plan.slaMs).toEqual({
      joiner: config.policy.slas.joinerMs,
      mover: config.policy.slas.moverMs,
      leaver: config.policy.slas.leaverMs,
    });
    expect(plan.grants.map((g) => g.app)).toEqual([...plan.grants.map((g) => g.app)].sort());
    expect(plan.grants.length).toBeGreaterThan(0);
    for (const id of Object.keys(config.connectors)) {
      const connector = config.connectors[id]!;
      expect(plan.deletePolicy[id]).toEqual({
        mode: connector.delete.mode,
        reversible: connector.delete.reversible,
        retentionMs: config.policy.retention.perAppMs[id] ?? config.policy.retention.defaultMs,
      });
    }
  });

  it('grants nothing to a terminated employee, whatever the rules say', async () => {
    const config = await loadConfig(CONFIG_DIR);
    expect(planFor(config, { ...engineer, status: 'terminated' }).grants).toEqual([]);
  });
});
