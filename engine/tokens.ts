/** Task tokens: opaque to the worker, they name the run, the task and its attempt. */
export interface WorkflowTaskToken {
  k: 'w';
  ns: string;
  w: string;
  r: string;
  s: number;
  a: number;
  /** Dispatch serial: a stale speculative task cannot be completed in place of a newer one. */
  n?: number;
}
export interface QueryTaskToken {
  k: 'q';
  ns: string;
  w: string;
  r: string;
  q: string;
}
export interface ActivityTaskToken {
  k: 'a';
  ns: string;
  w: string;
  r: string;
  s: number;
  a: number;
}
export type TaskToken = WorkflowTaskToken | QueryTaskToken | ActivityTaskToken;

export function encodeToken(token: TaskToken): Buffer {
  return Buffer.from(JSON.stringify(token));
}

export function decodeToken(bytes: Uint8Array | undefined): TaskToken | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as TaskToken;
  } catch {
    return undefined;
  }
}
