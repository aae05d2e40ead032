/**
 * A deliberately tiny HTTP helper for the server tests (plain fetch, no SCIM client code, so
 * the tests exercise the server on its own).
 */
import type { ScimServerHandle } from '../../scim-server';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  token?: string | null;
}

/** Sends one request to `server.url + path` with the bearer token `t` unless told otherwise. */
export async function call(
  server: ScimServerHandle,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/scim+json', ...(options.headers ?? {}) };
  const token = options.token === undefined ? 't' : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/scim+json';
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER], userName, ...extra };
}

export async function createUser(
  server: ScimServerHandle,
  userName: string,
  extra: Record<string, unknown> = {},
): Promise<Answer> {
  const answer = await call(server, 'POST', '/Users', { body: userBody(userName, extra) });
  if (answer.status !== 201)
    throw new Error(`create ${userName} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}

export function patchBody(...operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: operations };
}

export function filterQuery(filter: string): string {
  return `/Users?filter=${encodeURIComponent(filter)}`;
}
