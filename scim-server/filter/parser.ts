/**
 * Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2, Figure 1 ABNF).
 * Precedence, highest first: grouping and `not`, then `and`, then `or`. Operator names are
 * case-insensitive, as are the literals `true`, `false` and `null` (ABNF strings are).
 */
import { badRequest } from '../protocol/errors';
import type { FilterOperatorName } from '../quirks';
import { parseAttrPath, type AttrPath } from '../schema/resolve';
import { tokenize, type Token } from './lexer';

/** Attribute operators of RFC 7644 §3.4.2.2, Table 3 (`pr` is a node kind of its own). */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
/** `compValue` of the ABNF: false / null / true / number / string. */
export type FilterValue = string | number | boolean | null;

/** The filter syntax tree. */
export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'logical'; op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly allowed: ReadonlySet<string>,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw badRequest.invalidFilter('the filter is empty');
    const node = this.parseOr(false);
    const rest = this.peek();
    if (rest) throw badRequest.invalidFilter(`unexpected "${rest.value}" at position ${rest.pos + 1}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.index];
    if (!token) throw badRequest.invalidFilter(`the filter ends where ${expected} was expected`);
    this.index += 1;
    return token;
  }

  private keyword(token: Token | undefined): string | undefined {
    return token?.kind === 'word' ? token.value.toLowerCase() : undefined;
  }

  private use(operator: FilterOperatorName): void {
    if (!this.allowed.has(operator))
      throw badRequest.invalidFilter(`the "${operator}" operator is not supported by this service provider`);
  }

  private parseOr(inValuePath: boolean): FilterNode {
    let left = this.parseAnd(inValuePath);
    while (this.keyword(this.peek()) === 'or') {
      this.use('or');
      this.index += 1;
      left = { kind: 'logical', op: 'or', left, right: this.parseAnd(inValuePath) };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseUnary(inValuePath);
    while (this.keyword(this.peek()) === 'and') {
      this.use('and');
      this.index += 1;
      left = { kind: 'logical', op: 'and', left, right: this.parseUnary(inValuePath) };
    }
    return left;
  }

  private parseUnary(inValuePath: boolean): FilterNode {
    const token = this.next('an expression');
    if (token.kind === 'paren' && token.value === '(') return this.parseGroup(inValuePath);
    if (token.kind === 'word' && token.value.toLowerCase() === 'not') {
      this.use('not');
      const open = this.next('"("');
      if (open.kind !== 'paren' || open.value !== '(')
        throw badRequest.invalidFilter(`"not" must be followed by "(" at position ${open.pos + 1}`);
      return { kind: 'not', filter: this.parseGroup(inValuePath) };
    }
    if (token.kind !== 'word')
      throw badRequest.invalidFilter(`expected an attribute at position ${token.pos + 1}, found "${token.value}"`);
    return this.parseAttributeExpression(token, inValuePath);
  }

  private parseGroup(inValuePath: boolean): FilterNode {
    const inner = this.parseOr(inValuePath);
    const close = this.next('")"');
    if (close.kind !== 'paren' || close.value !== ')')
      throw badRequest.invalidFilter(`expected ")" at position ${close.pos + 1}`);
    return inner;
  }

  private parseAttributeExpression(attribute: Token, inValuePath: boolean): FilterNode {
    const path = parseAttrPath(attribute.value, badRequest.invalidFilter);
    const following = this.peek();
    if (following?.kind === 'bracket' && following.value === '[') {
      if (inValuePath) throw badRequest.invalidFilter(`value filters cannot be nested (position ${following.pos + 1})`);
      this.index += 1;
      const filter = this.parseOr(true);
      const close = this.next('"]"');
      if (close.kind !== 'bracket' || close.value !== ']')
        throw badRequest.invalidFilter(`expected "]" at position ${close.pos + 1}`);
      return { kind: 'valuePath', path, filter };
    }
    const operator = this.keyword(this.next('an operator'));
    if (operator === 'pr') {
      this.use('pr');
      return { kind: 'present', path };
    }
    if (!operator || !COMPARE_OPS.has(operator))
      throw badRequest.invalidFilter(`expected an operator after "${attribute.value}"`);
    this.use(operator as CompareOp);
    return { kind: 'compare', path, op: operator as CompareOp, value: this.parseValue() };
  }

  private parseValue(): FilterValue {
    const token = this.next('a value');
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word') {
      const lower = token.value.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      if (NUMBER.test(token.value)) return Number(token.value);
    }
    throw badRequest.invalidFilter(
      `invalid value "${token.value}" at position ${token.pos + 1} (strings must be quoted)`,
    );
  }
}

/**
 * Parses a filter expression. `operators` restricts what the service provider accepts (a quirk
 * of many real apps); anything else is a 400 invalidFilter.
 */
export function parseFilter(text: string, operators: readonly FilterOperatorName[]): FilterNode {
  return new Parser(tokenize(text), new Set(operators)).parse();
}

/** Parses the filter inside a PATCH value path (`emails[type eq "work"]`), where paths are sub-attributes. */
export function parseValueFilter(text: string, operators: readonly FilterOperatorName[]): FilterNode {
  const node = parseFilter(text, operators);
  assertNoValuePath(node);
  return node;
}

function assertNoValuePath(node: FilterNode): void {
  if (node.kind === 'valuePath') throw badRequest.invalidPath('value filters cannot be nested');
  if (node.kind === 'logical') {
    assertNoValuePath(node.left);
    assertNoValuePath(node.right);
  } else if (node.kind === 'not') assertNoValuePath(node.filter);
}
