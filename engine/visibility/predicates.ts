/**
 * Turns the syntax tree into a predicate with SQL's three-valued logic: a comparison against a
 * NULL (absent) attribute is unknown, `NOT unknown` stays unknown, and only `true` selects a
 * run — so `X != 'a'` and `X NOT IN (…)` never select runs without X, as on the SQL stores.
 * Operator sets per type follow the server's converter.
 */
import type { ComparisonOperator, Expr } from './ast';
import { resolveField, type Field, type Scalar } from './fields';
import { VisibilityQueryError, type SearchAttributeType, type VisibilityRecord } from './types';
import { literalValue } from './values';

/** true, false, or null for SQL's unknown. */
export type Truth = boolean | null;
export type Predicate = (r: VisibilityRecord) => Truth;

const ORDERING: ComparisonOperator[] = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'];
const OPERATORS: Record<SearchAttributeType, ComparisonOperator[]> = {
  Keyword: [...ORDERING, 'STARTS_WITH', 'NOT STARTS_WITH'],
  KeywordList: ['=', '!=', 'IN', 'NOT IN'],
  Text: ['=', '!='],
  Int: ORDERING,
  Double: ORDERING,
  Bool: ORDERING,
  Datetime: ORDERING,
};
const RANGE_TYPES: SearchAttributeType[] = ['Keyword', 'Int', 'Double', 'Datetime'];

/** Orders two scalars of the same attribute: numbers numerically, strings by UTF-16 code unit (binary, like the stores' keyword collation for BMP text). */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// Full-text match as the SQL stores do it: every word of the query must occur in the value.
const words = (s: string): string[] =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
function textMatches(value: Scalar, query: string): boolean {
  const have = new Set(words(String(value)));
  const want = words(query);
  return want.length > 0 && want.every((w) => have.has(w));
}

function scalarTest(op: ComparisonOperator, type: SearchAttributeType, expected: Scalar[]): (v: Scalar) => boolean {
  const [e] = expected as [Scalar];
  switch (op) {
    case '=':
    case 'IN':
      return type === 'Text'
        ? (v) => textMatches(v, String(e))
        : (v) => expected.some((x) => compareScalars(v, x) === 0);
    case 'STARTS_WITH':
      return (v) => String(v).startsWith(String(e));
    case '<':
      return (v) => compareScalars(v, e) < 0;
    case '<=':
      return (v) => compareScalars(v, e) <= 0;
    case '>':
      return (v) => compareScalars(v, e) > 0;
    case '>=':
      return (v) => compareScalars(v, e) >= 0;
    default:
      throw new Error(`negated operator ${op} has no direct test`);
  }
}

const POSITIVE: Partial<Record<ComparisonOperator, ComparisonOperator>> = {
  '!=': '=',
  'NOT IN': 'IN',
  'NOT STARTS_WITH': 'STARTS_WITH',
};

function comparison(field: Field, op: ComparisonOperator, expected: Scalar[]): Predicate {
  const positive = POSITIVE[op];
  const test = scalarTest(positive ?? op, field.type, expected);
  // A KeywordList (or a multi-valued attribute) matches when any of its values does: "=" means contains.
  return (r) => {
    const values = field.read(r);
    if (values === null) return null;
    const hit = values.some(test);
    return positive ? !hit : hit;
  };
}

function compileCompare(e: Extract<Expr, { kind: 'compare' }>, types: Record<string, SearchAttributeType>): Predicate {
  const field = resolveField(e.field, types);
  if (!OPERATORS[field.type].includes(e.op)) {
    throw new VisibilityQueryError(
      `operator '${e.op}' is not allowed for ${field.type} search attribute ${field.name}`,
      e.pos,
    );
  }
  return comparison(
    field,
    e.op,
    e.values.map((lit) => literalValue(lit, field)),
  );
}

function compileBetween(e: Extract<Expr, { kind: 'between' }>, types: Record<string, SearchAttributeType>): Predicate {
  const field = resolveField(e.field, types);
  if (!RANGE_TYPES.includes(field.type)) {
    throw new VisibilityQueryError(
      `cannot do a range condition on search attribute ${field.name} of type ${field.type}`,
      e.pos,
    );
  }
  const from = literalValue(e.from, field);
  const to = literalValue(e.to, field);
  return (r) => {
    const values = field.read(r);
    if (values === null) return null;
    const inside = values.some((v) => compareScalars(v, from) >= 0 && compareScalars(v, to) <= 0);
    return e.negated ? !inside : inside;
  };
}

const not = (t: Truth): Truth => (t === null ? null : !t);

// Kleene logic: false dominates AND, true dominates OR, otherwise unknown is contagious.
function and(a: Truth, b: () => Truth): Truth {
  if (a === false) return false;
  const bv = b();
  if (bv === false) return false;
  return a === null || bv === null ? null : true;
}

function or(a: Truth, b: () => Truth): Truth {
  if (a === true) return true;
  const bv = b();
  if (bv === true) return true;
  return a === null || bv === null ? null : false;
}

/** Compiles an expression; name, operator and value errors are thrown here, before any record is seen. */
export function compileExpr(e: Expr, types: Record<string, SearchAttributeType>): Predicate {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const left = compileExpr(e.left, types);
      const right = compileExpr(e.right, types);
      return e.kind === 'and' ? (r) => and(left(r), () => right(r)) : (r) => or(left(r), () => right(r));
    }
    case 'not': {
      const inner = compileExpr(e.expr, types);
      return (r) => not(inner(r));
    }
    case 'is': {
      const field = resolveField(e.field, types);
      return (r) => (field.read(r) === null) !== e.notNull;
    }
    case 'compare':
      return compileCompare(e, types);
    case 'between':
      return compileBetween(e, types);
  }
}
