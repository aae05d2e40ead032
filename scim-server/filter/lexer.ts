/**
 * Tokenizer for SCIM filters (RFC 7644 §3.4.2.2). Strings are JSON strings (RFC 7159 §7);
 * every other run of non-space, non-bracket characters is a word (attribute path, operator,
 * number or literal) that the parser classifies.
 */
import { badRequest } from '../protocol/errors';

/** A lexical token with its 0-based position, for error messages. */
export type Token =
  | { kind: 'paren'; value: '(' | ')'; pos: number }
  | { kind: 'bracket'; value: '[' | ']'; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'word'; value: string; pos: number };

const PUNCTUATION = new Set(['(', ')', '[', ']']);
const WORD_END = /[\s()[\]"]/;

function readString(text: string, start: number): { value: string; end: number } {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === '"') break;
    else i += 1;
  }
  if (i >= text.length) throw badRequest.invalidFilter(`unterminated string starting at position ${start + 1}`);
  const literal = text.slice(start, i + 1);
  try {
    return { value: JSON.parse(literal) as string, end: i + 1 };
  } catch {
    throw badRequest.invalidFilter(`invalid string ${literal} at position ${start + 1}`);
  }
}

/** Splits a filter into tokens; throws 400 invalidFilter on an unterminated or malformed string. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (PUNCTUATION.has(ch)) {
      if (ch === '(' || ch === ')') tokens.push({ kind: 'paren', value: ch, pos: i });
      else tokens.push({ kind: 'bracket', value: ch as '[' | ']', pos: i });
      i += 1;
    } else if (ch === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, pos: i });
      i = end;
    } else {
      let end = i + 1;
      while (end < text.length && !WORD_END.test(text[end]!)) end += 1;
      tokens.push({ kind: 'word', value: text.slice(i, end), pos: i });
      i = end;
    }
  }
  return tokens;
}
