/**
 * HTTP plumbing: reading a bounded request body, content negotiation (RFC 7644 §3.1 and §8.1:
 * `application/scim+json`, with `application/json` accepted), and writing responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScimResponse } from '../context';
import { ScimProtocolError, badRequest } from '../protocol/errors';

/** Largest request body read (the Bulk limit plus room for the envelope). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The request body exceeded the limit; answered with 413. */
export class BodyTooLargeError extends Error {}

/** Reads the whole body as UTF-8, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const JSON_TYPES = /^application\/(scim\+)?json\b/i;

/** Parses a JSON body; an unsupported media type is a 415, malformed JSON a 400 invalidSyntax. */
export function parseJsonBody(raw: string, contentType: string | undefined): unknown {
  if (raw.trim() === '') return undefined;
  if (contentType !== undefined && contentType !== '' && !JSON_TYPES.test(contentType)) {
    throw new ScimProtocolError(415, `unsupported content type "${contentType}"; use application/scim+json`);
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw badRequest.invalidSyntax('the request body is not valid JSON');
  }
}

const SECRET_FORM_FIELDS = new Set(['client_secret', 'password', 'assertion']);

/** Parses the body only for the request record, with form-encoded secrets redacted; never throws. */
export function bodyForRecord(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
    const form = Object.fromEntries(new URLSearchParams(raw));
    for (const key of Object.keys(form)) if (SECRET_FORM_FIELDS.has(key)) form[key] = '[REDACTED]';
    return form;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** `application/scim+json` unless the client accepts only `application/json`. */
export function responseContentType(accept: string | undefined): string {
  if (accept && !/application\/scim\+json|\*\/\*|application\/\*/i.test(accept) && /application\/json/i.test(accept)) {
    return 'application/json; charset=utf-8';
  }
  return 'application/scim+json; charset=utf-8';
}

/** Writes a response unless the connection is already gone. Returns whether it was written. */
export function writeResponse(res: ServerResponse, response: ScimResponse, contentType: string): boolean {
  if (res.destroyed || res.writableEnded || res.headersSent) return false;
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload: string | undefined;
  if (response.body !== undefined && response.status !== 204 && response.status !== 304) {
    payload = JSON.stringify(response.body);
    headers['content-type'] = contentType;
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  res.writeHead(response.status, headers);
  res.end(payload);
  return true;
}
