/**
 * ORDER BY. The server accepts it (on Elasticsearch; the SQL stores always order by close and
 * start time) for any attribute except Text. Runs without the attribute sort last in both
 * directions, as Elasticsearch's default `missing: _last` does.
 */
import type { OrderItem } from './ast';
import { resolveField } from './fields';
import { compareScalars } from './predicates';
import { VisibilityQueryError, type SearchAttributeType, type VisibilityRecord } from './types';

/** A comparator for the ORDER BY items, ties broken by the next item. */
export function compileOrder(
  items: OrderItem[],
  types: Record<string, SearchAttributeType>,
): (a: VisibilityRecord, b: VisibilityRecord) => number {
  const keys = items.map((item) => {
    const field = resolveField(item.field, types);
    if (field.type === 'Text')
      throw new VisibilityQueryError(`cannot sort by Text search attribute ${field.name}`, item.field.pos);
    return { field, sign: item.desc ? -1 : 1 };
  });
  return (a, b) => {
    for (const { field, sign } of keys) {
      const x = field.read(a)?.[0];
      const y = field.read(b)?.[0];
      if (x === undefined || y === undefined) {
        if (x !== y) return x === undefined ? 1 : -1;
        continue;
      }
      const c = compareScalars(x, y);
      if (c !== 0) return sign * c;
    }
    return 0;
  };
}
