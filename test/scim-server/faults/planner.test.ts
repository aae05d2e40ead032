import { FaultPlanner } from '../../../scim-server/faults/planner';

function decisions(planner: FaultPlanner, n: number): string[] {
  return Array.from({ length: n }, () => {
    const d = planner.decide('GET', '/Users');
    return `${d.latencyMs}:${d.fault ? `${d.fault.kind}/${d.fault.timing}` : '-'}`;
  });
}

describe('FaultPlanner', () => {
  const campaign = { rate429: 0.1, rate5xx: 0.1, rateHang: 0.1, rateReset: 0.1, latencyMs: { min: 0, max: 50 } };

  it('replays the same decisions for the same seed, and others for another seed', () => {
    const a = new FaultPlanner(1);
    const b = new FaultPlanner(1);
    const c = new FaultPlanner(2);
    [a, b, c].forEach((p) => p.configure(campaign));
    const first = decisions(a, 100);
    expect(decisions(b, 100)).toEqual(first);
    expect(decisions(c, 100)).not.toEqual(first);
    a.restart();
    expect(decisions(a, 100)).toEqual(first);
  });

  it('draws at the configured rates', () => {
    const planner = new FaultPlanner(9);
    planner.configure({ rate5xx: 0.25 });
    const hits = decisions(planner, 4000).filter((d) => d.includes('5xx')).length;
    expect(hits / 4000).toBeGreaterThan(0.2);
    expect(hits / 4000).toBeLessThan(0.3);
  });

  it('honours per-kind timing, method and path filters, and the limit', () => {
    const planner = new FaultPlanner(5);
    planner.configure({
      rateReset: 1,
      faultTiming: 'after',
      timing: { reset: 'before' },
      methods: ['post'],
      pathPrefix: '/Users',
      limit: 2,
    });
    expect(planner.decide('GET', '/Users').fault).toBeUndefined();
    expect(planner.decide('POST', '/Groups').fault).toBeUndefined();
    expect(planner.decide('POST', '/Users').fault).toEqual({ kind: 'reset', timing: 'before' });
    expect(planner.decide('POST', '/Users/1').fault).toBeDefined();
    expect(planner.decide('POST', '/Users').fault).toBeUndefined();
  });
});
