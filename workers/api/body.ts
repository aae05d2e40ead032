/**
 * From the raw body to a JSON value. UTF-8 is decoded fatally: a body with invalid byte
 * sequences is refused (400), never "repaired" with U+FFFD, because a repaired name or id is
 * not what HR sent and would be provisioned and audited as if it were.
 */
import { findUnsafeText, toPointer } from '../../lib/hr/text';
import { ApiError, API_ERROR_CODES, formatPath } from './problems';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const REPLACEMENT = '\uFFFD';

/** Where the invalid bytes are: the strings that hold U+FFFD after a lossy decode. */
function locateInvalidBytes(body: Buffer): { issues: string[]; fields: string[] } {
  let lossy: unknown;
  try {
    lossy = JSON.parse(body.toString('utf8'));
  } catch {
    return { issues: ['(body): not valid UTF-8 outside any string value; send the body UTF-8 encoded'], fields: [''] };
  }
  const issues: string[] = [];
  const fields: string[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (issues.length >= 20) return;
    if (typeof node === 'string') {
      if (node.includes(REPLACEMENT)) {
        const where = formatPath(path) || '(body)';
        issues.push(`${where}: not valid UTF-8; send the value UTF-8 encoded (it is not repaired)`);
        fields.push(toPointer(path));
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key.includes(REPLACEMENT)) {
          issues.push(`${formatPath(path) || '(body)'}: a member name is not valid UTF-8; send the body UTF-8 encoded`);
          fields.push(toPointer(path));
        } else {
          visit(child, [...path, key]);
        }
      }
    }
  };
  visit(lossy, []);
  if (issues.length === 0) issues.push('(body): not valid UTF-8; send the body UTF-8 encoded');
  return { issues, fields };
}

/** Decodes and parses the body; throws a 400 `ApiError` naming the problem. */
export function parseJsonBody(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    const { issues, fields } = locateInvalidBytes(body);
    const message = 'the body is not valid UTF-8; fix the fields listed in "issues"';
    throw new ApiError(400, API_ERROR_CODES.INVALID_ENCODING, message, issues, {}, fields);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, API_ERROR_CODES.INVALID_JSON, `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Refuses control characters and unpaired surrogates anywhere in the payload (values and
 * member names), before an adapter picks, trims or drops fields.
 */
export function assertCleanText(payload: unknown): void {
  const found = findUnsafeText(payload);
  if (found.length === 0) return;
  throw new ApiError(
    400,
    API_ERROR_CODES.INVALID_EVENT,
    'the body holds characters HR values may not contain; fix the fields listed in "issues"',
    found.map((f) => `${formatPath(f.path) || '(body)'}: ${f.problem}`),
    {},
    found.map((f) => f.pointer),
  );
}
