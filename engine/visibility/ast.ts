/** Syntax tree of a visibility query, before names and values are checked against types. */

/** A search attribute name as written, with where it was written. */
export interface FieldRef {
  name: string;
  pos: number;
}

/** A value on the right-hand side. `name` is an unquoted identifier the server refuses as a value. */
export interface Literal {
  kind: 'string' | 'number' | 'bool' | 'name';
  text: string;
  pos: number;
}

export type ComparisonOperator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'IN'
  | 'NOT IN'
  | 'STARTS_WITH'
  | 'NOT STARTS_WITH';

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; field: FieldRef; op: ComparisonOperator; values: Literal[]; pos: number }
  | { kind: 'between'; field: FieldRef; negated: boolean; from: Literal; to: Literal; pos: number }
  | { kind: 'is'; field: FieldRef; notNull: boolean };

export interface OrderItem {
  field: FieldRef;
  desc: boolean;
}

export interface QueryAst {
  /** Absent for an empty query or one that is only ORDER BY. */
  where?: Expr;
  orderBy: OrderItem[];
  /** `GROUP BY` fields (CountWorkflowExecutions only; the server allows ExecutionStatus alone). */
  groupBy: FieldRef[];
}
