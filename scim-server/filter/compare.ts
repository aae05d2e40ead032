/**
 * Attribute comparison for filters (RFC 7644 §3.4.2.2): string comparisons honour the
 * attribute's `caseExact`; `dateTime` compares instants; booleans and binaries only support
 * equality, ordering them is a 400 invalidFilter.
 */
import { badRequest } from '../protocol/errors';
import type { AttributeDef } from '../schema/definitions';
import type { CompareOp, FilterValue } from './parser';

type Comparator = (actual: unknown) => boolean;

const ORDERING = new Set<CompareOp>(['gt', 'ge', 'lt', 'le']);
const SUBSTRING = new Set<CompareOp>(['co', 'sw', 'ew']);

function order(op: CompareOp, diff: number): boolean {
  switch (op) {
    case 'gt':
      return diff > 0;
    case 'ge':
      return diff >= 0;
    case 'lt':
      return diff < 0;
    case 'le':
      return diff <= 0;
    case 'eq':
      return diff === 0;
    default:
      return diff !== 0;
  }
}

function stringComparator(op: CompareOp, expected: string, caseExact: boolean): Comparator {
  const norm = (s: string) => (caseExact ? s : s.toLowerCase());
  const want = norm(expected);
  return (actual) => {
    if (typeof actual !== 'string') return false;
    const have = norm(actual);
    if (op === 'co') return have.includes(want);
    if (op === 'sw') return have.startsWith(want);
    if (op === 'ew') return have.endsWith(want);
    return order(op, have < want ? -1 : have > want ? 1 : 0);
  };
}

function booleanComparator(op: CompareOp, expected: FilterValue, path: string): Comparator {
  if (op !== 'eq' && op !== 'ne')
    throw badRequest.invalidFilter(`"${op}" cannot be applied to the boolean attribute "${path}"`);
  // Entra habitually sends booleans as strings ("False"); accept them in filters too.
  let want: boolean;
  if (typeof expected === 'boolean') want = expected;
  else if (typeof expected === 'string' && /^(true|false)$/i.test(expected)) want = expected.toLowerCase() === 'true';
  else throw badRequest.invalidFilter(`"${path}" is a boolean; compare it with true or false`);
  return (actual) => order(op, actual === want ? 0 : 1);
}

function numberComparator(op: CompareOp, expected: FilterValue, path: string): Comparator {
  const want = typeof expected === 'string' ? Number(expected) : expected;
  if (typeof want !== 'number' || Number.isNaN(want))
    throw badRequest.invalidFilter(`"${path}" is numeric; compare it with a number`);
  if (SUBSTRING.has(op)) return stringComparator(op, String(want), true);
  return (actual) => typeof actual === 'number' && order(op, actual - want);
}

function dateComparator(op: CompareOp, expected: FilterValue, path: string): Comparator {
  if (typeof expected !== 'string')
    throw badRequest.invalidFilter(`"${path}" is a dateTime; compare it with a quoted xsd:dateTime`);
  if (SUBSTRING.has(op)) return stringComparator(op, expected, true);
  const want = Date.parse(expected);
  if (Number.isNaN(want)) throw badRequest.invalidFilter(`"${expected}" is not a valid dateTime`);
  return (actual) =>
    typeof actual === 'string' && !Number.isNaN(Date.parse(actual)) && order(op, Date.parse(actual) - want);
}

/**
 * Builds the comparison of one attribute value against a filter value. `forceCaseExact`
 * models servers that compare case-sensitively regardless of the schema.
 */
export function comparator(
  def: AttributeDef,
  op: CompareOp,
  expected: FilterValue,
  path: string,
  forceCaseExact: boolean,
): Comparator {
  switch (def.type) {
    case 'boolean':
      return booleanComparator(op, expected, path);
    case 'integer':
    case 'decimal':
      return numberComparator(op, expected, path);
    case 'dateTime':
      return dateComparator(op, expected, path);
    case 'binary':
      if (ORDERING.has(op))
        throw badRequest.invalidFilter(`"${op}" cannot be applied to the binary attribute "${path}"`);
      break;
    case 'complex':
      throw badRequest.invalidFilter(`"${path}" is complex; name one of its sub-attributes`);
    default:
      break;
  }
  if (typeof expected !== 'string')
    throw badRequest.invalidFilter(`"${path}" is a string; compare it with a quoted string`);
  return stringComparator(op, expected, def.caseExact || forceCaseExact);
}
