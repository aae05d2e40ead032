/**
 * Tokenizer for the SQL-like visibility language. The real server feeds the query to a MySQL
 * dialect parser (temporalio/sqlparser), so strings take either quote style with backslash
 * escapes or a doubled quote, names may be backquoted, and keywords are case-insensitive.
 */
import { VisibilityQueryError } from './types';

export type TokenKind = 'word' | 'name' | 'string' | 'number' | 'op' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Source text for words/ops/numbers, the unescaped value for strings and backquoted names. */
  text: string;
  pos: number;
}

// MySQL string escapes (what sqlparser decodes); any other escaped character stands for itself.
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', '0': '\0', Z: '\x1a' };
const OPERATORS = ['<=', '>=', '!=', '<>', '=', '<', '>'];
const NUMBER = /-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;

function readString(q: string, start: number): { text: string; end: number } {
  const quote = q[start]!;
  let text = '';
  let i = start + 1;
  while (i < q.length) {
    const c = q[i]!;
    if (c === '\\' && i + 1 < q.length) {
      const next = q[i + 1]!;
      text += ESCAPES[next] ?? next;
      i += 2;
    } else if (c === quote && q[i + 1] === quote) {
      text += quote;
      i += 2;
    } else if (c === quote) {
      return { text, end: i + 1 };
    } else {
      text += c;
      i++;
    }
  }
  throw new VisibilityQueryError('unterminated string', start);
}

function readBackquoted(q: string, start: number): { text: string; end: number } {
  const close = q.indexOf('`', start + 1);
  if (close < 0) throw new VisibilityQueryError('unterminated backquoted name', start);
  if (close === start + 1) throw new VisibilityQueryError('empty backquoted name', start);
  return { text: q.slice(start + 1, close), end: close + 1 };
}

function readSticky(re: RegExp, q: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(q)?.[0];
}

/** Splits a query into tokens; throws {@link VisibilityQueryError} on a character it cannot start a token with. */
export function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let token: Token;
    if (c === '"' || c === "'" || c === '`') {
      const { text, end } = c === '`' ? readBackquoted(q, i) : readString(q, i);
      token = { kind: c === '`' ? 'name' : 'string', text, pos: i };
      i = end;
    } else if (c === '(' || c === ')' || c === ',') {
      token = { kind: 'punct', text: c, pos: i };
      i++;
    } else {
      const op = OPERATORS.find((o) => q.startsWith(o, i));
      const num = op ? undefined : readSticky(NUMBER, q, i);
      const word = op || num ? undefined : readSticky(WORD, q, i);
      const text = op ?? num ?? word;
      if (text === undefined) throw new VisibilityQueryError(`unexpected character '${c}'`, i);
      // <> is MySQL's spelling of !=.
      token = { kind: op ? 'op' : num ? 'number' : 'word', text: text === '<>' ? '!=' : text, pos: i };
      i += text.length;
    }
    tokens.push(token);
  }
  return tokens;
}
