/**
 * Shared pieces of the intake API tests: a server on 127.0.0.1:0 over the real engine, signed
 * requests, and reads of what Temporal recorded.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../../lib/logger';
import { buildApiServer, createSignedRequest, type ApiServerOptions } from '../../../workers/api';
import { startJml, waitForLine } from '../../../bench/processes';

export const SECRET = 'test-hmac-secret-current-0001';
export const OLD_SECRET = 'test-hmac-secret-previous-0001';

/** A secret as `jml api` accepts it at start-up (32 random bytes); the constants above are for in-process servers. */
export const strongSecret = (): string => randomBytes(32).toString('base64url');

export const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  logLines: () => string[];
  taskQueue: string;
}

export async function startApi(client: Client, overrides: Partial<ApiServerOptions> = {}): Promise<RunningApi> {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk, _enc, done) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const taskQueue = `jml-api-test-${randomUUID()}`;
  const app = buildApiServer({
    temporal: { client, taskQueue },
    secrets: { hmacSecrets: [SECRET, OLD_SECRET], bearerTokens: [] },
    logger: createLogger({ level: 'info', destination }),
    ...overrides,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: address, logLines: () => lines, taskQueue };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the assertion message.
  }
  return { status: res.status, headers: res.headers, body };
}

/** POSTs `body` signed with `secret` at `timestampSec` (default now). */
export function postSigned(
  url: string,
  body: unknown,
  opts: { secret?: string; timestampSec?: number; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const signed = createSignedRequest({ body, secret: opts.secret ?? SECRET, timestampSec: opts.timestampSec });
  return send(url, {
    headers: { ...signed.headers, 'x-request-id': 'req-test-1', ...opts.headers },
    body: signed.body,
  });
}

/** Signal names recorded in the workflow's history, or undefined if there is no such workflow. */
export async function signalsOf(client: Client, workflowId: string): Promise<string[] | undefined> {
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName ?? ''] : [],
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** True if Temporal knows no workflow with this id. */
export async function workflowAbsent(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return false;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return true;
    throw err;
  }
}

/** A valid canonical event for a fresh employee id. */
export function canonicalEvent(employeeId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = fixture('canonical-hire.json');
  const employee = { ...(base.employee as object), ...((extra.employee as object | undefined) ?? {}), employeeId };
  return { ...base, eventId: `ev-${employeeId}`, ...extra, employee };
}

/** `jml api` as its own process, resolved once it logs its address; its JSON log lines on demand. */
export interface ApiProcess {
  child: ChildProcess;
  url: string;
  readonly logLines: Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function spawnApi(args: string[], env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const proc = startJml('api', ['api', ...args], { LOG_LEVEL: 'info', ...env });
  const ready = await waitForLine(proc, /"msg":"intake API listening"/);
  const url = String((JSON.parse(ready.input) as { address: string }).address);
  return {
    child: proc.child,
    url,
    get logLines() {
      return proc.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    stop: () => proc.stop(),
  };
}
