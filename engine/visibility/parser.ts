/**
 * Recursive-descent parser for the WHERE-clause subset the server accepts, with MySQL
 * precedence: OR < AND < NOT < predicates, then GROUP BY and ORDER BY. Unsupported SQL (LIMIT,
 * functions) is rejected here with the position, as the server's converter rejects it.
 */
import type { ComparisonOperator, Expr, FieldRef, Literal, OrderItem, QueryAst } from './ast';
import { tokenize, type Token } from './lexer';
import { VisibilityQueryError } from './types';

const SYMBOL_OPERATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);
// Words that cannot start a value or a name; seeing one there means the query is incomplete.
const RESERVED = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'LIMIT',
  'GROUP',
  'STARTS_WITH',
]);

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private get tok(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(word: string): boolean {
    return this.tok?.kind === 'word' && this.tok.text.toUpperCase() === word;
  }

  private isPunct(p: string): boolean {
    return this.tok?.kind === 'punct' && this.tok.text === p;
  }

  private fail(problem: string): never {
    const tok = this.tok;
    throw new VisibilityQueryError(
      tok ? `${problem}, found '${tok.text}'` : `${problem}, found the end of the query`,
      tok?.pos ?? this.length,
    );
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) this.fail(`expected ${word}`);
  }

  private expectPunct(p: string): void {
    if (!this.isPunct(p)) this.fail(`expected '${p}'`);
    this.i++;
  }

  parseQuery(): QueryAst {
    const where = this.tok === undefined || this.isWord('ORDER') || this.isWord('GROUP') ? undefined : this.parseOr();
    const groupBy = this.acceptWord('GROUP') ? this.parseGroupBy() : [];
    const orderBy = this.acceptWord('ORDER') ? this.parseOrderBy() : [];
    if (this.isWord('LIMIT')) this.fail('LIMIT is not supported (use the page size)');
    if (this.tok) this.fail('expected AND, OR, GROUP BY, ORDER BY or the end of the query');
    return { where, orderBy, groupBy };
  }

  private parseGroupBy(): FieldRef[] {
    this.expectWord('BY');
    const fields: FieldRef[] = [this.parseField()];
    while (this.isPunct(',')) {
      this.i++;
      fields.push(this.parseField());
    }
    return fields;
  }

  private parseOrderBy(): OrderItem[] {
    this.expectWord('BY');
    const items: OrderItem[] = [this.parseOrderItem()];
    while (this.isPunct(',')) {
      this.i++;
      items.push(this.parseOrderItem());
    }
    return items;
  }

  private parseOrderItem(): OrderItem {
    const field = this.parseField();
    if (this.acceptWord('DESC')) return { field, desc: true };
    this.acceptWord('ASC');
    return { field, desc: false };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.acceptWord('OR')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.acceptWord('AND')) left = { kind: 'and', left, right: this.parseNot() };
    return left;
  }

  private parseNot(): Expr {
    if (this.acceptWord('NOT')) return { kind: 'not', expr: this.parseNot() };
    if (!this.isPunct('(')) return this.parsePredicate();
    this.i++;
    const inner = this.parseOr();
    this.expectPunct(')');
    return inner;
  }

  private parseField(): FieldRef {
    const tok = this.tok;
    const isName = tok?.kind === 'name' || (tok?.kind === 'word' && !RESERVED.has(tok.text.toUpperCase()));
    if (!tok || !isName) this.fail('expected a search attribute name');
    if (this.tokens[this.i + 1]?.text === '(' && tok.kind === 'word')
      throw new VisibilityQueryError(`function calls are not supported: ${tok.text}(…)`, tok.pos);
    this.i++;
    return { name: tok.text, pos: tok.pos };
  }

  private parseLiteral(): Literal {
    const tok = this.tok;
    if (tok?.kind === 'string' || tok?.kind === 'number') {
      this.i++;
      return { kind: tok.kind, text: tok.text, pos: tok.pos };
    }
    if (tok?.kind === 'word' && /^(true|false)$/i.test(tok.text)) {
      this.i++;
      return { kind: 'bool', text: tok.text.toLowerCase(), pos: tok.pos };
    }
    if ((tok?.kind === 'word' && !RESERVED.has(tok.text.toUpperCase())) || tok?.kind === 'name') {
      this.i++;
      return { kind: 'name', text: tok.text, pos: tok.pos };
    }
    return this.fail('expected a value');
  }

  private parseList(): Literal[] {
    this.expectPunct('(');
    const values = [this.parseLiteral()];
    while (this.isPunct(',')) {
      this.i++;
      values.push(this.parseLiteral());
    }
    this.expectPunct(')');
    return values;
  }

  private parsePredicate(): Expr {
    const field = this.parseField();
    const pos = this.tok?.pos ?? this.length;
    if (this.acceptWord('IS')) {
      const notNull = this.acceptWord('NOT');
      this.expectWord('NULL');
      return { kind: 'is', field, notNull };
    }
    const negated = this.acceptWord('NOT');
    if (this.acceptWord('IN'))
      return { kind: 'compare', field, op: negated ? 'NOT IN' : 'IN', values: this.parseList(), pos };
    if (this.acceptWord('STARTS_WITH'))
      return {
        kind: 'compare',
        field,
        op: negated ? 'NOT STARTS_WITH' : 'STARTS_WITH',
        values: [this.parseLiteral()],
        pos,
      };
    if (this.acceptWord('BETWEEN')) {
      const from = this.parseLiteral();
      this.expectWord('AND');
      return { kind: 'between', field, negated, from, to: this.parseLiteral(), pos };
    }
    if (negated) this.fail('expected IN, BETWEEN or STARTS_WITH after NOT');
    if (this.isWord('LIKE')) this.fail('LIKE is not supported (use STARTS_WITH)');
    if (this.tok?.kind !== 'op' || !SYMBOL_OPERATORS.has(this.tok.text))
      this.fail('expected an operator (=, !=, <, <=, >, >=, IN, BETWEEN, STARTS_WITH, IS NULL)');
    const op = this.tok.text as ComparisonOperator;
    this.i++;
    return { kind: 'compare', field, op, values: [this.parseLiteral()], pos };
  }
}

/** Parses a query into its syntax tree; throws {@link VisibilityQueryError} naming the position. */
export function parseVisibilityQuery(query: string): QueryAst {
  return new Parser(tokenize(query), query.length).parseQuery();
}
