/**
 * Talking to the reference SCIM apps directly, outside the orchestrator: a tally of their
 * request logs, a count of the accounts they hold, and the naive sequential joiner script
 * the onboarding benchmark compares against.
 */
import { request } from 'undici';
import { formatEq } from '../lib/scim/filter';
import { employee, TOKEN } from './common';

/** Counts from one app's `--log-requests` lines (`{ time, method, path, status, …, msg: "scim request" }`). */
export class AppLog {
  requests = 0;
  gets = 0;
  posts = 0;
  rateLimited = 0;
  created = 0;
  lastCreatedAtMs = 0;
  /** When each account was created (the app's clock), in log order. */
  readonly createdAtMs: number[] = [];

  readonly onLine = (line: string): void => {
    if (!line.includes('"scim request"')) return;
    const r = JSON.parse(line) as { time: string; method: string; path: string; status: number | null };
    this.requests += 1;
    if (r.method === 'GET') this.gets += 1;
    if (r.method === 'POST') this.posts += 1;
    if (r.status === 429) this.rateLimited += 1;
    if (r.method === 'POST' && r.status === 201 && r.path.endsWith('/Users')) {
      this.created += 1;
      this.createdAtMs.push(Date.parse(r.time));
      this.lastCreatedAtMs = Math.max(this.lastCreatedAtMs, Date.parse(r.time));
    }
  };

  snapshot() {
    return {
      requests: this.requests,
      gets: this.gets,
      posts: this.posts,
      rateLimited: this.rateLimited,
      created: this.created,
      lastCreatedAtMs: this.lastCreatedAtMs,
    };
  }
}

export type AppCounts = ReturnType<AppLog['snapshot']>;

interface Answer {
  status: number;
  body: unknown;
  rateLimited: number;
}

/**
 * One SCIM request that honours `429` + `Retry-After` (RFC 6585 §4; delay-seconds, as the
 * reference server sends) by waiting and sending it again: a script that dropped the person
 * instead would look fast and lose accounts.
 */
export async function scimCall(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  for (let rateLimited = 0; ; rateLimited++) {
    const res = await request(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.statusCode !== 429)
      return {
        status: res.statusCode,
        body: res.statusCode === 204 ? (await res.body.dump(), undefined) : await res.body.json(),
        rateLimited,
      };
    await res.body.dump();
    const seconds = Number([res.headers['retry-after']].flat()[0] ?? 1);
    await new Promise((r) => setTimeout(r, (Number.isFinite(seconds) ? seconds : 1) * 1000));
  }
}

export interface Census {
  users: number;
  missing: number;
  duplicates: number;
  inactive: number;
  strangers: number;
}

/** Pages through `/Users` (RFC 7644 §3.4.2.4) and compares the `externalId`s with the people expected. */
export async function census(base: string, expected: string[]): Promise<Census> {
  const seen = new Map<string, number>();
  let users = 0;
  let inactive = 0;
  for (let start = 1; ; start += 100) {
    const page = (await scimCall(base, 'GET', `/Users?startIndex=${start}&count=100`)).body as {
      totalResults: number;
      Resources?: { externalId?: string; active?: boolean }[];
    };
    for (const u of page.Resources ?? []) {
      users += 1;
      if (u.active === false) inactive += 1;
      seen.set(u.externalId ?? '', (seen.get(u.externalId ?? '') ?? 0) + 1);
    }
    if (!page.Resources?.length || start + 99 >= page.totalResults) break;
  }
  const wanted = new Set(expected);
  return {
    users,
    missing: expected.filter((id) => !seen.has(id)).length,
    duplicates: [...seen].filter(([id]) => wanted.has(id)).reduce((n, [, count]) => n + count - 1, 0),
    inactive,
    strangers: [...seen].filter(([id]) => !wanted.has(id)).reduce((n, [, count]) => n + count, 0),
  };
}

/** The SCIM user the orchestrator's bench connectors map an employee to. */
function scimUser(n: number) {
  const e = employee(n);
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    externalId: e.employeeId,
    userName: e.workEmail,
    name: { givenName: e.givenName, familyName: e.familyName },
    title: e.title,
    active: true,
  };
}

/**
 * The naive baseline: one script, one person after another, one app after another: look up by
 * `externalId`, then create when absent. Returns the 429s it received (and waited out).
 */
export async function naiveJoiners(
  urls: string[],
  people: number[],
  onPerson: (done: number) => void,
): Promise<number> {
  let rateLimited = 0;
  for (const [i, n] of people.entries()) {
    for (const url of urls) {
      const found = await scimCall(
        url,
        'GET',
        `/Users?filter=${encodeURIComponent(formatEq({ attribute: 'externalId', value: `B${n}` }))}`,
      );
      rateLimited += found.rateLimited;
      if (((found.body as { Resources?: unknown[] }).Resources ?? []).length > 0) continue;
      const created = await scimCall(url, 'POST', '/Users', scimUser(n));
      rateLimited += created.rateLimited;
      if (created.status !== 201) throw new Error(`naive create of B${n} at ${url} answered ${created.status}`);
    }
    onPerson(i + 1);
  }
  return rateLimited;
}
