/**
 * Response bodies read with a ceiling. An app (or a token endpoint, or something in between)
 * that answers hundreds of megabytes would otherwise be buffered whole — a 300 MB answer took
 * 2 GB of memory — and take the worker down with every other person's revocation. Past the
 * limit the body is abandoned (the connection closed) and the request fails cleanly.
 */
import type { Dispatcher } from 'undici';

/** 10 MiB: far above any SCIM page or token answer, far below what hurts a worker. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`the answer is larger than ${limitBytes} bytes (JML_SCIM_MAX_RESPONSE_BYTES)`);
  }
}

/** `JML_SCIM_MAX_RESPONSE_BYTES` when it is a positive whole number, else the default. */
export function maxResponseBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.JML_SCIM_MAX_RESPONSE_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_MAX_RESPONSE_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(
      `JML_SCIM_MAX_RESPONSE_BYTES must be a positive number of bytes (e.g. 10485760 for 10 MiB), not "${raw}"`,
    );
  }
  return n;
}

/** Reads the whole body as UTF-8 text, or throws {@link ResponseTooLargeError} past `limitBytes`. */
export async function readBodyCapped(
  res: Pick<Dispatcher.ResponseData, 'headers' | 'body'>,
  limitBytes: number,
): Promise<string> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    res.body.destroy();
    throw new ResponseTooLargeError(limitBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > limitBytes) {
      res.body.destroy();
      throw new ResponseTooLargeError(limitBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
