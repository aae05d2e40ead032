/** The protocol-level request/response shapes shared by the endpoints, the router and /Bulk. */
import type { QuirkProfile } from './quirks';
import type { ResourceStore } from './resources/store';

/** A request after HTTP parsing; `path` is relative to the base path (`/Users/2819c223`). */
export interface ScimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** An answer before HTTP serialization; `body` is JSON. */
export interface ScimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Mutable server state the endpoints work on. */
export interface ServerState {
  store: ResourceStore;
  profile: QuirkProfile;
  /** Absolute base URL (`http://127.0.0.1:PORT/scim/v2`). */
  baseUrl: string;
  maxPageSize: number;
}
