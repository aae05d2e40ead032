/**
 * What an HR string may hold. HR values end up in SCIM requests, PostgreSQL rows, logs and CSV
 * exports; a NUL, another control character or a lone UTF-16 surrogate is valid JSON but
 * breaks (or silently changes) every one of those stores. No HR field legitimately needs one,
 * so they are refused at the edge instead of being repaired or stripped.
 */
import { z } from 'zod';

/** C0 controls, DEL, C1 controls, and a surrogate not paired with its partner. */
const UNSAFE = /[\p{Cc}\p{Cs}]/u;

/** `U+0000`-style name of the code unit at `index`. */
function codePointName(text: string, index: number): string {
  return `U+${text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` is not acceptable as an HR string, or undefined when it is. The answer names the
 * character and its position, never the value (it is personal data).
 */
export function unsafeTextProblem(text: string): string | undefined {
  const match = UNSAFE.exec(text);
  if (!match) return undefined;
  const at = match.index;
  const code = text.charCodeAt(at);
  const position = `at character ${at + 1}`;
  if (code >= 0xd800 && code <= 0xdfff) {
    return `holds an unpaired UTF-16 surrogate (${codePointName(text, at)}) ${position}; send well-formed Unicode text`;
  }
  return (
    `holds the control character ${codePointName(text, at)} ${position}; ` +
    'remove it (HR values are plain text without control characters)'
  );
}

/** A zod string that refuses control characters and unpaired surrogates. */
export function hrText(): z.ZodString {
  return z.string().check((ctx) => {
    const problem = unsafeTextProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });
}

/** One string (or object key) in a JSON value that `unsafeTextProblem` refuses. */
export interface UnsafeText {
  /** RFC 6901 JSON Pointer of the value (for a key: of the member it names). */
  pointer: string;
  /** The same location as path segments, for messages in the API's `a.b[0]` style. */
  path: (string | number)[];
  problem: string;
}

function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Every refused string in a parsed JSON value, keys included, so a vendor payload is checked
 * as HR sent it (before an adapter picks, trims or drops fields). Stops after `limit` finds.
 */
export function findUnsafeText(value: unknown, limit = 20): UnsafeText[] {
  const found: UnsafeText[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (found.length >= limit) return;
    if (typeof node === 'string') {
      const problem = unsafeTextProblem(node);
      if (problem) found.push({ pointer: toPointer(path), path, problem });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i]));
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const keyProblem = unsafeTextProblem(key);
        if (keyProblem) {
          // The key itself cannot be printed safely; name its parent and say it is a key.
          found.push({ pointer: toPointer(path), path, problem: `has a member name that ${keyProblem}` });
          if (found.length >= limit) return;
          continue;
        }
        visit(child, [...path, key]);
      }
    }
  };
  visit(value, []);
  return found;
}

/** RFC 6901: `""` is the whole document, `/a/0/b~1c` a member inside it. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((s) => `/${escapePointer(s)}`).join('');
}
