/**
 * The engine's HTTP side, on one origin as Temporal's UI server has it: the `/api/v1/...`
 * routes of Temporal's HTTP API in protojson (see routes.ts, protojson.ts), and — when a built
 * Temporal UI is given — the UI's static files with an index.html fallback for its routes.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Engine } from '../engine';
import { RpcError } from '../errors';
import { root, type AnyMessage } from '../proto';
import { matchRoute, type Route } from './routes';
import { messageFromJson, paramsToJson, ProtoJsonError, toProtoJson, type Json } from './protojson';
import { uiSettings } from './settings';

export interface HttpApiOptions {
  engine: Engine;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 = any free port. */
  port: number;
  /** The namespace the UI opens first. @default 'default' */
  defaultNamespace?: string;
  /** A built Temporal UI (its index.html and _app/); without it only /api/v1 is served. */
  uiDir?: string;
  /** The @temporalio/ui version in uiDir, reported in the settings. */
  uiVersion?: string;
  onError?: (method: string, err: unknown) => void;
}

export interface HttpApiHandle {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const SERVICES = {
  workflow: 'temporal.api.workflowservice.v1.WorkflowService',
  operator: 'temporal.api.operatorservice.v1.OperatorService',
};
const MAX_BODY = 4 * 1024 * 1024;

/** gRPC status → HTTP status, as grpc-gateway maps them. */
const HTTP_STATUS: Partial<Record<grpcStatus, number>> = {
  [grpcStatus.INVALID_ARGUMENT]: 400,
  [grpcStatus.FAILED_PRECONDITION]: 400,
  [grpcStatus.OUT_OF_RANGE]: 400,
  [grpcStatus.UNAUTHENTICATED]: 401,
  [grpcStatus.PERMISSION_DENIED]: 403,
  [grpcStatus.NOT_FOUND]: 404,
  [grpcStatus.ALREADY_EXISTS]: 409,
  [grpcStatus.ABORTED]: 409,
  [grpcStatus.RESOURCE_EXHAUSTED]: 429,
  [grpcStatus.CANCELLED]: 499,
  [grpcStatus.UNIMPLEMENTED]: 501,
  [grpcStatus.UNAVAILABLE]: 503,
  [grpcStatus.DEADLINE_EXCEEDED]: 504,
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** The gateway's error body: {code, message, details}. */
function sendError(res: ServerResponse, code: grpcStatus, message: string): void {
  sendJson(res, HTTP_STATUS[code] ?? 500, { code, message, details: [] });
}

function readBody(req: IncomingMessage): Promise<Json> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ProtoJsonError(`the request body is larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text) as Json);
      } catch {
        reject(new ProtoJsonError('the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** Path parameters win over the body and query, field by field (as the gateway fills them). */
function merge(base: Json, over: Json): Json {
  if (
    typeof base !== 'object' ||
    base === null ||
    Array.isArray(base) ||
    typeof over !== 'object' ||
    over === null ||
    Array.isArray(over)
  )
    return over;
  const out: { [key: string]: Json } = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? merge(out[k]!, v) : v;
  return out;
}

async function callRoute(
  options: HttpApiOptions,
  route: Route,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = root.lookupService(SERVICES[route.service]).methods[route.rpc]!;
  const requestType = root.lookupType(method.requestType);
  const responseType = root.lookupType(method.responseType);
  const handler = (
    options.engine as unknown as Record<
      string,
      ((req: AnyMessage, cancelled: (f: () => void) => void) => AnyMessage | Promise<AnyMessage>) | undefined
    >
  )[route.rpc];
  if (typeof handler !== 'function') {
    return sendError(
      res,
      grpcStatus.UNIMPLEMENTED,
      `${route.rpc} is not implemented by the jml embedded engine (see docs/engine.md)`,
    );
  }
  const body = route.method === 'POST' ? await readBody(req) : {};
  const json = merge(merge(paramsToJson(url.searchParams), body), route.fill(params));
  const request = messageFromJson(requestType, json);
  // A browser that navigates away aborts its long polls: tell the engine to stop waiting.
  const cancelled = (onCancel: () => void) => res.on('close', () => res.writableFinished || onCancel());
  const response = await handler.call(options.engine, request, cancelled);
  if (res.destroyed) return;
  sendJson(res, 200, toProtoJson(responseType, response));
}

/** The whole history of one run as protojson (the UI's "download" link). */
async function rawHistory(options: HttpApiOptions, params: Record<string, string>, res: ServerResponse): Promise<void> {
  const response = await options.engine.GetWorkflowExecutionHistory(
    {
      namespace: params.namespace,
      execution: { workflowId: params.workflowId, runId: params.runId },
      maximumPageSize: Number.MAX_SAFE_INTEGER,
    },
    () => undefined,
  );
  sendJson(res, 200, toProtoJson(root.lookupType('temporal.api.history.v1.History'), response.history ?? {}));
}

function serveStatic(uiDir: string, pathname: string, res: ServerResponse): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return sendJson(res, 400, { message: 'malformed path' });
  }
  const file = path.resolve(uiDir, `.${path.posix.normalize(decoded)}`);
  const inside = file === uiDir || file.startsWith(uiDir + path.sep);
  const isFile = inside && existsSync(file) && statSync(file).isFile();
  // Unknown paths are the SPA's own routes: index.html, and the app routes on the client.
  const target = isFile ? file : path.join(uiDir, 'index.html');
  const immutable = isFile && decoded.includes('/_app/immutable/');
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(target)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(target).pipe(res);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * There is no login (like the engine's gRPC port), so other web pages must not drive it from a
 * developer's browser: on loopback the Host must be a loopback name (DNS rebinding), a write
 * must come from this origin, and its body must be JSON or carry the UI's `Caller-Type`
 * header — both need a CORS preflight from any other origin, which is never granted.
 */
function forbidden(options: HttpApiOptions, req: IncomingMessage): string | undefined {
  if (LOOPBACK.has(options.host ?? '127.0.0.1')) {
    const host = hostnameOf(req.headers.host);
    if (!host || !LOOPBACK.has(host))
      return `Host "${req.headers.host ?? ''}" is not this machine: open the UI at http://127.0.0.1 or http://localhost`;
  }
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && originHost(origin) !== req.headers.host)
    return `cross-origin ${req.method} from ${origin} refused`;
  const json = /^application\/json\b/i.test(req.headers['content-type'] ?? '');
  if (!json && !req.headers['caller-type'])
    return `${req.method} needs content-type: application/json (or the UI's Caller-Type header)`;
  return undefined;
}

async function handle(options: HttpApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const refused = forbidden(options, req);
  if (refused) return sendError(res, grpcStatus.PERMISSION_DENIED, refused);
  const url = new URL(req.url ?? '/', 'http://engine.local');
  const pathname = url.pathname.replace(/\/+$/, '') || '/';
  if (pathname === '/api/v1/settings') {
    const engine = options.engine as unknown as Record<string, unknown>;
    return sendJson(
      res,
      200,
      uiSettings({
        uiVersion: options.uiVersion ?? '2.38.0',
        defaultNamespace: options.defaultNamespace ?? 'default',
        updatesSupported: typeof engine.UpdateWorkflowExecution === 'function',
      }),
    );
  }
  if (pathname === '/api/v1/me') return sendJson(res, 200, {});
  const raw = /^\/api\/v1\/namespaces\/([^/]+)\/workflows\/([^/]+)\/run\/([^/]+)\/history\.json$/.exec(pathname);
  if (raw && req.method === 'GET') {
    const [namespace, workflowId, runId] = raw.slice(1).map((s) => decodeURIComponent(s));
    return rawHistory(options, { namespace: namespace!, workflowId: workflowId!, runId: runId! }, res);
  }
  const matched = matchRoute(req.method ?? 'GET', pathname);
  if (matched) return callRoute(options, matched.route, matched.params, req, res, url);
  if (pathname.startsWith('/api/'))
    return sendError(
      res,
      grpcStatus.NOT_FOUND,
      `${req.method} ${pathname} is not a route of the jml embedded engine's HTTP API (see docs/engine.md)`,
    );
  if (!options.uiDir) return sendJson(res, 404, { message: 'no Temporal UI is built here: run `npx jml ui build`' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { message: 'method not allowed' });
  return serveStatic(options.uiDir, pathname, res);
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApiHandle> {
  const host = options.host ?? '127.0.0.1';
  const opts = { ...options, uiDir: options.uiDir ? path.resolve(options.uiDir) : undefined };
  const onError = options.onError ?? ((method, err) => console.error(`engine http: ${method} failed:`, err));
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof RpcError) return sendError(res, err.code, err.message);
      if (err instanceof ProtoJsonError) return sendError(res, grpcStatus.INVALID_ARGUMENT, err.message);
      onError(`${req.method} ${req.url}`, err);
      sendError(res, grpcStatus.INTERNAL, (err as Error)?.message ?? String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
