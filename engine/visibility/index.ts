/**
 * The List/CountWorkflowExecutions query language, the subset users write in the Temporal UI
 * and CLI: comparisons, IN / NOT IN, BETWEEN, STARTS_WITH, IS [NOT] NULL, AND / OR / NOT,
 * parentheses and ORDER BY, over system fields and typed custom search attributes.
 * Pure: the engine hands it records, it answers matches and order.
 */
export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface VisibilityRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'ContinuedAsNew' | 'TimedOut';
  startTimeMs: number;
  executionTimeMs: number;
  closeTimeMs?: number;
  historyLength?: number;
  /** Decoded values; Datetime as an RFC 3339 string or epoch ms. */
  searchAttributes: Record<string, unknown>;
}

export class VisibilityQueryError extends Error {
  override name = 'VisibilityQueryError';
}

export interface CompiledQuery {
  matches(r: VisibilityRecord): boolean;
  compare?(a: VisibilityRecord, b: VisibilityRecord): number;
}

const SYSTEM: Record<string, SearchAttributeType> = {
  WorkflowId: 'Keyword',
  RunId: 'Keyword',
  WorkflowType: 'Keyword',
  ExecutionStatus: 'Keyword',
  TaskQueue: 'Keyword',
  StartTime: 'Datetime',
  CloseTime: 'Datetime',
  ExecutionTime: 'Datetime',
  HistoryLength: 'Int',
};

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string; pos: number };

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < q.length && q[j] !== c) {
        if (q[j] === '\\' && j + 1 < q.length) j++;
        text += q[j];
        j++;
      }
      if (j >= q.length) throw new VisibilityQueryError(`unterminated string starting at position ${i}`);
      tokens.push({ kind: 'string', text, pos: i });
      i = j + 1;
    } else if (c === '`') {
      const j = q.indexOf('`', i + 1);
      if (j < 0) throw new VisibilityQueryError(`unterminated backquoted name at position ${i}`);
      tokens.push({ kind: 'word', text: q.slice(i + 1, j), pos: i });
      i = j + 1;
    } else if (/[<>=!]/.test(c)) {
      const two = q.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '<>'].includes(two) ? two : c;
      tokens.push({ kind: 'op', text: op === '<>' ? '!=' : op, pos: i });
      i += op.length;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i++;
    } else if (/[-0-9.]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(q.slice(i));
      if (!m) throw new VisibilityQueryError(`unexpected "${c}" at position ${i}`);
      tokens.push({ kind: 'number', text: m[0], pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(q.slice(i))!;
      tokens.push({ kind: 'word', text: m[0], pos: i });
      i += m[0].length;
    } else {
      throw new VisibilityQueryError(`unexpected "${c}" at position ${i}`);
    }
  }
  return tokens;
}

type Pred = (r: VisibilityRecord) => boolean;

class Parser {
  private i = 0;
  constructor(
    private readonly t: Token[],
    private readonly types: Record<string, SearchAttributeType>,
  ) {}

  peekWord(word: string): boolean {
    const tok = this.t[this.i];
    return tok?.kind === 'word' && tok.text.toUpperCase() === word;
  }

  expectWord(word: string): void {
    if (!this.peekWord(word)) throw this.error(`expected ${word}`);
    this.i++;
  }

  error(message: string): VisibilityQueryError {
    const tok = this.t[this.i];
    return new VisibilityQueryError(`${message} ${tok ? `at position ${tok.pos} ("${tok.text}")` : 'at the end of the query'}`);
  }

  atEnd(): boolean {
    return this.i >= this.t.length;
  }

  parseQuery(): { pred: Pred; order?: { field: string; desc: boolean } } {
    const pred = this.atEnd() || this.peekWord('ORDER') ? () => true : this.parseOr();
    let order: { field: string; desc: boolean } | undefined;
    if (this.peekWord('ORDER')) {
      this.i++;
      this.expectWord('BY');
      const field = this.field();
      let desc = false;
      if (this.peekWord('DESC') || this.peekWord('ASC')) {
        desc = this.peekWord('DESC');
        this.i++;
      }
      order = { field, desc };
    }
    if (!this.atEnd()) throw this.error('unexpected input');
    return { pred, order };
  }

  parseOr(): Pred {
    let left = this.parseAnd();
    while (this.peekWord('OR')) {
      this.i++;
      const l = left;
      const r = this.parseAnd();
      left = (x) => l(x) || r(x);
    }
    return left;
  }

  parseAnd(): Pred {
    let left = this.parseUnary();
    while (this.peekWord('AND')) {
      this.i++;
      const l = left;
      const r = this.parseUnary();
      left = (x) => l(x) && r(x);
    }
    return left;
  }

  parseUnary(): Pred {
    if (this.peekWord('NOT')) {
      this.i++;
      const inner = this.parseUnary();
      return (x) => !inner(x);
    }
    const tok = this.t[this.i];
    if (tok?.kind === 'punct' && tok.text === '(') {
      this.i++;
      const inner = this.parseOr();
      const close = this.t[this.i];
      if (close?.kind !== 'punct' || close.text !== ')') throw this.error('expected )');
      this.i++;
      return inner;
    }
    return this.parseComparison();
  }

  field(): string {
    const tok = this.t[this.i];
    if (tok?.kind !== 'word') throw this.error('expected a search attribute name');
    if (!(tok.text in this.types) && !(tok.text in SYSTEM)) throw this.error(`unknown search attribute ${tok.text}`);
    this.i++;
    return tok.text;
  }

  value(type: SearchAttributeType): unknown {
    const tok = this.t[this.i];
    if (!tok || (tok.kind !== 'string' && tok.kind !== 'number' && tok.kind !== 'word')) throw this.error('expected a value');
    this.i++;
    return coerce(tok, type, (m) => this.error(m));
  }

  parseComparison(): Pred {
    const name = this.field();
    const type = SYSTEM[name] ?? this.types[name]!;
    const get = (r: VisibilityRecord) => read(r, name, type);
    if (this.peekWord('IS')) {
      this.i++;
      const negate = this.peekWord('NOT') ? (this.i++, true) : false;
      this.expectWord('NULL');
      return (r) => (get(r) === undefined) !== negate;
    }
    const negate = this.peekWord('NOT') ? (this.i++, true) : false;
    if (this.peekWord('IN')) {
      this.i++;
      const values = this.list(type);
      return (r) => values.some((v) => equals(get(r), v, type)) !== negate;
    }
    if (negate) throw this.error('expected IN after NOT');
    if (this.peekWord('BETWEEN')) {
      this.i++;
      const lo = this.value(type);
      this.expectWord('AND');
      const hi = this.value(type);
      return (r) => {
        const v = get(r);
        return v !== undefined && cmp(v, lo) >= 0 && cmp(v, hi) <= 0;
      };
    }
    if (this.peekWord('STARTS_WITH')) {
      this.i++;
      const prefix = String(this.value('Keyword'));
      return (r) => {
        const v = get(r);
        return Array.isArray(v) ? v.some((x) => String(x).startsWith(prefix)) : typeof v === 'string' && v.startsWith(prefix);
      };
    }
    const op = this.t[this.i];
    if (op?.kind !== 'op') throw this.error('expected an operator (=, !=, <, <=, >, >=, IN, BETWEEN, STARTS_WITH, IS NULL)');
    this.i++;
    const value = this.value(type);
    switch (op.text) {
      case '=':
        return (r) => equals(get(r), value, type);
      case '!=':
        return (r) => !equals(get(r), value, type);
      default:
        if (type === 'KeywordList' || type === 'Bool') throw this.error(`${op.text} is not supported for ${type} attribute ${name}`);
        return (r) => {
          const v = get(r);
          if (v === undefined) return false;
          const c = cmp(v, value);
          return op.text === '<' ? c < 0 : op.text === '<=' ? c <= 0 : op.text === '>' ? c > 0 : c >= 0;
        };
    }
  }

  list(type: SearchAttributeType): unknown[] {
    const open = this.t[this.i];
    if (open?.kind !== 'punct' || open.text !== '(') throw this.error('expected ( after IN');
    this.i++;
    const values = [this.value(type)];
    while (this.t[this.i]?.text === ',') {
      this.i++;
      values.push(this.value(type));
    }
    if (this.t[this.i]?.text !== ')') throw this.error('expected )');
    this.i++;
    return values;
  }
}

function coerce(tok: Token, type: SearchAttributeType, error: (m: string) => VisibilityQueryError): unknown {
  switch (type) {
    case 'Int':
    case 'Double': {
      const n = Number(tok.text);
      if (Number.isNaN(n)) throw error(`expected a number`);
      return n;
    }
    case 'Bool':
      if (!/^(true|false)$/i.test(tok.text)) throw error('expected true or false');
      return tok.text.toLowerCase() === 'true';
    case 'Datetime': {
      const ms = tok.kind === 'number' ? Number(tok.text) : Date.parse(tok.text);
      if (Number.isNaN(ms)) throw error('expected an RFC 3339 time such as "2026-11-22T10:00:00Z"');
      return ms;
    }
    default:
      if (tok.kind === 'word') throw error('expected a quoted string');
      return tok.text;
  }
}

const STATUS_NAMES: Record<VisibilityRecord['status'], string> = {
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Failed',
  Canceled: 'Canceled',
  Terminated: 'Terminated',
  ContinuedAsNew: 'ContinuedAsNew',
  TimedOut: 'TimedOut',
};

function read(r: VisibilityRecord, name: string, type: SearchAttributeType): unknown {
  switch (name) {
    case 'WorkflowId':
      return r.workflowId;
    case 'RunId':
      return r.runId;
    case 'WorkflowType':
      return r.workflowType;
    case 'ExecutionStatus':
      return STATUS_NAMES[r.status];
    case 'TaskQueue':
      return r.taskQueue;
    case 'StartTime':
      return r.startTimeMs;
    case 'CloseTime':
      return r.closeTimeMs;
    case 'ExecutionTime':
      return r.executionTimeMs;
    case 'HistoryLength':
      return r.historyLength;
  }
  const v = r.searchAttributes[name];
  if (v === undefined || v === null) return undefined;
  if (type === 'Datetime') return typeof v === 'number' ? v : Date.parse(String(v));
  return v;
}

function equals(actual: unknown, expected: unknown, type: SearchAttributeType): boolean {
  if (actual === undefined) return false;
  if (Array.isArray(actual)) return actual.some((a) => a === expected);
  // Text attributes match on a token, as the real server's full-text match does.
  if (type === 'Text') return String(actual).toLowerCase().split(/\W+/).includes(String(expected).toLowerCase());
  return actual === expected;
}

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function compileVisibilityQuery(query: string, types: Record<string, SearchAttributeType>): CompiledQuery {
  const parser = new Parser(tokenize(query.trim()), types);
  const { pred, order } = parser.parseQuery();
  if (!order) return { matches: pred };
  const type = SYSTEM[order.field] ?? types[order.field]!;
  return {
    matches: pred,
    compare: (a, b) => {
      const x = read(a, order.field, type);
      const y = read(b, order.field, type);
      const c = x === undefined ? (y === undefined ? 0 : 1) : y === undefined ? -1 : cmp(x, y);
      return order.desc ? -c : c;
    },
  };
}
