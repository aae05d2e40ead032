import { startScimServer, type ScimServerHandle } from '../../scim-server';
import { call, userBody } from './http';

let server: ScimServerHandle;

beforeAll(async () => {
  server = await startScimServer({ auth: { bearerToken: 't' }, seed: 7 });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  server.setFaults({});
});

/** Sends a request and reports a network failure as `'network'` instead of throwing. */
async function attempt(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<number | 'network'> {
  try {
    const res = await fetch(`${server.url}${path}`, {
      method,
      signal,
      headers: { authorization: 'Bearer t', 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'network';
  }
}

describe('injected faults', () => {
  it('adds latency and records it', async () => {
    server.setFaults({ latencyMs: { min: 5, max: 15 } });
    await call(server, 'GET', '/Users');
    const [fault] = server.requests[0]!.faults;
    expect(fault).toMatchObject({ kind: 'latency', timing: 'before' });
    expect(fault!.delayMs).toBeGreaterThanOrEqual(5);
    expect(fault!.delayMs).toBeLessThanOrEqual(15);
    expect(server.stats().faultsInjected).toEqual({ latency: 1 });
  });

  it('answers 429 with Retry-After and writes nothing when the fault strikes before', async () => {
    server.setFaults({ rate429: 1, retryAfterSeconds: 3 });
    const answer = await call(server, 'POST', '/Users', { body: userBody('a') });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(answer.body).toMatchObject({ status: '429' });
    expect(server.users()).toHaveLength(0);
  });

  it('writes Retry-After as an HTTP-date when asked', async () => {
    server.setFaults({ rate429: 1, retryAfterSeconds: 30, retryAfterFormat: 'http-date' });
    const answer = await call(server, 'GET', '/Users');
    const date = Date.parse(answer.headers.get('retry-after') ?? '');
    expect(answer.headers.get('retry-after')).toMatch(/GMT$/);
    expect(date).toBeGreaterThan(Date.now());
  });

  it('answers the configured 5xx', async () => {
    server.setFaults({ rate5xx: 1, status5xx: 502 });
    expect((await call(server, 'GET', '/Users')).status).toBe(502);
    expect(server.stats().faultsInjected['5xx']).toBe(1);
  });

  it('applies the write and then loses the answer when faultTiming is after: a retry sees 409', async () => {
    server.setFaults({ rate5xx: 1, faultTiming: 'after', methods: ['POST'], limit: 1 });
    expect((await call(server, 'POST', '/Users', { body: userBody('ghost') })).status).toBe(503);
    expect(server.users().map((u) => u.userName)).toEqual(['ghost']);
    const retry = await call(server, 'POST', '/Users', { body: userBody('ghost') });
    expect(retry.status).toBe(409);
    expect(retry.body.scimType).toBe('uniqueness');
    expect(server.users()).toHaveLength(1);
    const lookup = await call(server, 'GET', `/Users?filter=${encodeURIComponent('userName eq "ghost"')}`);
    expect(lookup.body.totalResults).toBe(1);
    expect(server.requests[0]!.faults).toEqual([{ kind: '5xx', timing: 'after' }]);
    expect(server.requests[0]!.fault).toEqual({ kind: '5xx', timing: 'after' });
    expect(server.requests[1]!.fault).toBeUndefined();
  });

  it('resets the connection; with timing after, the create has taken effect', async () => {
    server.setFaults({ rateReset: 1, timing: { reset: 'after' } });
    expect(await attempt('POST', '/Users', userBody('reset-user'))).toBe('network');
    expect(server.users().map((u) => u.userName)).toEqual(['reset-user']);
    expect(server.requests[0]).toMatchObject({
      status: null,
      durationMs: null,
      faults: [{ kind: 'reset', timing: 'after' }],
    });
  });

  it('hangs for hangMs and then answers normally', async () => {
    server.setFaults({ rateHang: 1, hangMs: 20 });
    expect((await call(server, 'GET', '/Users')).status).toBe(200);
    expect(server.requests[0]!.faults).toEqual([{ kind: 'hang', timing: 'before', delayMs: 20 }]);
  });

  it('hangs forever without hangMs: the client has to time out', async () => {
    server.setFaults({ rateHang: 1 });
    expect(await attempt('GET', '/Users', undefined, AbortSignal.timeout(100))).toBe('network');
    expect(server.requests[0]!.status).toBeNull();
  });

  it('stop() ends hanging requests and can be called twice', async () => {
    const target = await startScimServer({ faults: { rateHang: 1 } });
    const pending = fetch(`${target.url}/Users`).then(
      () => 'answered',
      () => 'network',
    );
    while (target.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([target.stop(), target.stop()]);
    expect(await pending).toBe('network');
  });

  it('only strikes matching methods and paths, and at most `limit` times', async () => {
    server.setFaults({ rate5xx: 1, methods: ['PATCH'], pathPrefix: '/Users' });
    expect((await call(server, 'GET', '/Users')).status).toBe(200);
    server.setFaults({ rate429: 1, limit: 1 });
    expect((await call(server, 'GET', '/Users')).status).toBe(429);
    expect((await call(server, 'GET', '/Users')).status).toBe(200);
  });

  it('rejects impossible fault options', () => {
    expect(() => server.setFaults({ rate429: 0.7, rate5xx: 0.5 })).toThrow(RangeError);
    expect(() => server.setFaults({ rateHang: -1 })).toThrow(RangeError);
    expect(() => server.setFaults({ latencyMs: { min: 10, max: 1 } })).toThrow(RangeError);
  });
});

describe('seeded determinism and fault campaigns', () => {
  const campaign = { rate429: 0.05, rate5xx: 0.05, rateHang: 0.05, rateReset: 0.05, hangMs: 1 };

  async function run(target: ScimServerHandle, n: number): Promise<string[]> {
    const outcomes: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const status = await fetch(`${target.url}/Users?i=${i}`, { headers: { authorization: 'Bearer t' } }).then(
        async (r) => (await r.arrayBuffer(), String(r.status)),
        () => 'network',
      );
      outcomes.push(status);
    }
    return outcomes;
  }

  it('injects the same faults for the same seed and request sequence', async () => {
    const [one, two] = await Promise.all([
      startScimServer({ seed: 42, faults: campaign }),
      startScimServer({ seed: 42, faults: campaign }),
    ]);
    try {
      const first = await run(one, 60);
      const second = await run(two, 60);
      expect(second).toEqual(first);
      const faults = (s: ScimServerHandle) => s.requests.map((r) => r.faults.map((f) => f.kind).join('+'));
      expect(faults(two)).toEqual(faults(one));
      one.reset();
      expect(await run(one, 60)).toEqual(first);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('expresses a 20 % campaign: every kind occurs and the counts match the records', async () => {
    const target = await startScimServer({ seed: 3, faults: campaign });
    try {
      await run(target, 200);
      const injected = target.stats().faultsInjected;
      expect(Object.keys(injected).sort()).toEqual(['429', '5xx', 'hang', 'reset']);
      const total = Object.values(injected).reduce((a, b) => a + b, 0);
      expect(target.requests.filter((r) => r.faults.length > 0)).toHaveLength(total);
    } finally {
      await target.stop();
    }
  });
});

describe('server-side rate limit', () => {
  it('answers 429 with Retry-After once the bucket is empty and counts the violations', async () => {
    const limited = await startScimServer({ rateLimit: { requestsPerSecond: 0.01, burst: 2 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await call(limited, 'GET', '/Users')).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
      const refused = await call(limited, 'GET', '/Users');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const stats = limited.stats();
      expect(stats.rateLimited).toBe(3);
      expect(stats.requests).toBe(5);
      expect(stats.maxObservedRatePerSecond).toBeGreaterThanOrEqual(1);
      expect(stats.maxObservedRatePerSecond).toBeLessThanOrEqual(5);
    } finally {
      await limited.stop();
    }
  });

  it('shares one bucket between servers naming the same budget (an org-wide limit)', async () => {
    const budget = `org-${process.pid}-${Date.now()}`;
    const limit = { requestsPerSecond: 0.01, burst: 2, budget };
    const [a, b] = await Promise.all([startScimServer({ rateLimit: limit }), startScimServer({ rateLimit: limit })]);
    try {
      expect((await call(a, 'GET', '/Users')).status).toBe(200);
      expect((await call(b, 'GET', '/Users')).status).toBe(200);
      expect((await call(a, 'GET', '/Users')).status).toBe(429);
      expect(b.stats().rateLimited + a.stats().rateLimited).toBe(1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
