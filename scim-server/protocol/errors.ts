/**
 * SCIM protocol errors (RFC 7644 §3.12): a status, an optional `scimType` and a `detail`,
 * serialized as `{ schemas: [Error], status: "409", scimType, detail }` (status is a string).
 */
import { URN } from './urns';

/** The `scimType` values of RFC 7644 §3.12, Table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** Thrown anywhere in request handling; the HTTP layer turns it into an error response. */
export class ScimProtocolError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  /** Extra response headers (Allow, Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, scimType?: ScimType, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ScimProtocolError';
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }
}

/** The error message body of RFC 7644 §3.12. */
export interface ScimProtocolErrorBody {
  schemas: string[];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** Builds an error body; `status` is serialized as a string, as §3.12 shows. */
export function errorBody(status: number, detail: string, scimType?: ScimType): ScimProtocolErrorBody {
  const body: ScimProtocolErrorBody = { schemas: [URN.error], status: String(status), detail };
  if (scimType) body.scimType = scimType;
  return body;
}

/** 400 helpers, named after their scimType. */
export const badRequest = {
  invalidFilter: (detail: string) => new ScimProtocolError(400, detail, 'invalidFilter'),
  invalidSyntax: (detail: string) => new ScimProtocolError(400, detail, 'invalidSyntax'),
  invalidPath: (detail: string) => new ScimProtocolError(400, detail, 'invalidPath'),
  invalidValue: (detail: string) => new ScimProtocolError(400, detail, 'invalidValue'),
  noTarget: (detail: string) => new ScimProtocolError(400, detail, 'noTarget'),
  mutability: (detail: string) => new ScimProtocolError(400, detail, 'mutability'),
};

/** 404 for an unknown resource or endpoint. */
export function notFound(detail: string): ScimProtocolError {
  return new ScimProtocolError(404, detail);
}
