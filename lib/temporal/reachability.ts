/**
 * "Cannot reach Temporal" in one line: which address was tried, why it failed (nothing
 * listening, unknown host, no answer, a handshake that did not complete) and what to check —
 * instead of a stack trace, or a client that waits ten seconds to say "Failed to connect
 * before the deadline". A plain TCP connection is tried first because it fails fast and
 * names the cause.
 */
import { connect } from 'node:net';

/** Temporal could not be reached at `address`; the message is the line an operator reads. */
export class TemporalUnreachableError extends Error {
  constructor(
    readonly address: string,
    readonly namespace: string,
    readonly reason: string,
    hint = 'check that the Temporal server is running there (jml dev runs one locally) or set TEMPORAL_ADDRESS',
  ) {
    super(`cannot reach Temporal at ${address} (namespace ${namespace}): ${reason}; ${hint}`);
    this.name = 'TemporalUnreachableError';
  }
}

/** `host:port` (IPv6 in brackets) → its parts; the port defaults to Temporal's 7233. */
export function splitAddress(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 7233) };
  const i = address.lastIndexOf(':');
  if (i < 0) return { host: address, port: 7233 };
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/** Why a TCP connection to `address` fails, or undefined when it opens. */
export function tcpFailure(address: string, timeoutMs = 3000): Promise<string | undefined> {
  const { host, port } = splitAddress(address);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return Promise.resolve(`"${address}" is not host:port`);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(reason);
    };
    // After a timeout, one more turn of the event loop before failing: when this process was
    // busy past the deadline (a loaded host), timers run before I/O, and a connection the
    // kernel completed meanwhile would otherwise be reported as unanswered.
    socket.setTimeout(timeoutMs, () =>
      setImmediate(() => done(`no answer within ${timeoutMs / 1000} s (wrong host, or a firewall)`)),
    );
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(describeSocketError(err, host)));
  });
}

function describeSocketError(err: NodeJS.ErrnoException, host: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing is listening on that port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${host} not found`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host ${host} unreachable`;
    default:
      return err.code ? `${err.code} ${err.message}` : err.message;
  }
}

/** The reason for a failure after TCP connected: a gRPC/TLS handshake or an authorization problem. */
export function handshakeFailure(err: unknown, tls: boolean): { reason: string; hint: string } {
  const message = firstLine(err instanceof Error ? err.message : String(err));
  if (tls) {
    return {
      reason: `the port answers, but the TLS handshake or the gRPC call failed (${message})`,
      hint: 'check TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY, TEMPORAL_API_KEY and TEMPORAL_NAMESPACE',
    };
  }
  return {
    reason: `the port answers, but not as a Temporal frontend (${message})`,
    hint: 'check TEMPORAL_ADDRESS points at the frontend (port 7233 by default), and set TEMPORAL_TLS=true if it needs TLS',
  };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** True for errors that mean the server went away during a call (gRPC UNAVAILABLE). */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 14) return true;
  }
  return false;
}
