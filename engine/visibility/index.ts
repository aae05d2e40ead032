/**
 * The List/CountWorkflowExecutions query language, the subset users write in the Temporal UI
 * and CLI: `=`, `!=`, `<`, `<=`, `>`, `>=`, `[NOT] IN`, `[NOT] BETWEEN … AND …`,
 * `[NOT] STARTS_WITH`, `IS [NOT] NULL`, `AND`, `OR`, `NOT`, parentheses, `ORDER BY` and
 * `GROUP BY ExecutionStatus` (counts only), over
 * system attributes and typed custom search attributes. Semantics follow the real server's
 * converter (temporalio/temporal `common/persistence/visibility/store/query/converter.go`).
 * Pure: the engine hands it records, it answers matches and order.
 */
import { compileOrder } from './order';
import { parseVisibilityQuery } from './parser';
import { compileExpr } from './predicates';
import { VisibilityQueryError, type CompiledVisibilityQuery, type SearchAttributeType } from './types';

export { VisibilityQueryError } from './types';
export type { CompiledVisibilityQuery, ExecutionStatusName, SearchAttributeType, VisibilityRecord } from './types';
export { SYSTEM_ATTRIBUTE_NAMES } from './fields';

/**
 * Compiles a visibility query against the namespace's custom search attributes.
 *
 * @param query - the query as sent in `ListWorkflowExecutionsRequest.query`; empty matches every run
 * @param types - registered custom search attributes by name
 * @returns `matches`, and `compare` when the query has ORDER BY
 * @throws VisibilityQueryError for syntax errors, unknown attributes, operators a type does not
 *   support and values of the wrong type, naming the position
 */
export function compileVisibilityQuery(
  query: string,
  types: Record<string, SearchAttributeType>,
): CompiledVisibilityQuery {
  const ast = parseVisibilityQuery(query ?? '');
  const predicate = ast.where ? compileExpr(ast.where, types) : undefined;
  const matches = predicate
    ? (r: Parameters<CompiledVisibilityQuery['matches']>[0]) => predicate(r) === true
    : () => true;
  const compiled: CompiledVisibilityQuery = { matches };
  if (ast.groupBy.length) {
    // The server's converter: "GROUP BY clause supports only a single field: ExecutionStatus".
    if (ast.groupBy.length > 1 || ast.groupBy[0]!.name !== 'ExecutionStatus') {
      throw new VisibilityQueryError('GROUP BY supports only a single field: ExecutionStatus', ast.groupBy[0]!.pos);
    }
    compiled.groupBy = 'ExecutionStatus';
  }
  if (ast.orderBy.length) compiled.compare = compileOrder(ast.orderBy, types);
  return compiled;
}
