/**
 * Ports a command is about to listen on, checked before anything starts: a busy one is named
 * with what wanted it and the option that moves it, instead of a bind error deep inside a
 * server library (and a half-started process).
 */
import { createServer } from 'node:net';

export interface PlannedPort {
  host: string;
  port: number;
  /** What listens there, for the message ("the intake API"). */
  what: string;
  /** How to move it ("choose another with --api-port <port>"). */
  change: string;
}

/** The error code a listen on host:port gets now (EADDRINUSE, EACCES…), or undefined when it is free. */
export function listenError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export function portProblem(p: PlannedPort, code: string): string {
  const where = `port ${p.port} (${p.what})`;
  if (code === 'EADDRINUSE') return `${where} is already in use: stop what is using it, or ${p.change}`;
  if (code === 'EACCES') return `${where} needs privileges this user lacks: ${p.change}`;
  return `${where} cannot be used (${code}): ${p.change}`;
}

/** One message per planned port that cannot be listened on (port 0 always can). */
export async function portProblems(planned: PlannedPort[]): Promise<string[]> {
  const problems: string[] = [];
  for (const p of planned) {
    if (p.port === 0) continue;
    const code = await listenError(p.host, p.port);
    if (code) problems.push(portProblem(p, code));
  }
  return problems;
}
