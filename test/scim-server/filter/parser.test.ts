import { parseFilter, type FilterNode } from '../../../scim-server/filter/parser';
import { ALL_FILTER_OPERATORS } from '../../../scim-server/quirks';

function shape(node: FilterNode): unknown {
  switch (node.kind) {
    case 'compare':
      return [node.path.raw, node.op, node.value];
    case 'present':
      return [node.path.raw, 'pr'];
    case 'logical':
      return { [node.op]: [shape(node.left), shape(node.right)] };
    case 'not':
      return { not: shape(node.filter) };
    default:
      return { [node.path.raw]: shape(node.filter) };
  }
}

const parse = (text: string) => shape(parseFilter(text, ALL_FILTER_OPERATORS));

describe('parseFilter (RFC 7644 §3.4.2.2)', () => {
  it('binds and tighter than or, and grouping overrides it', () => {
    expect(parse('a eq 1 or b eq 2 and c eq 3')).toEqual({
      or: [
        ['a', 'eq', 1],
        {
          and: [
            ['b', 'eq', 2],
            ['c', 'eq', 3],
          ],
        },
      ],
    });
    expect(parse('(a eq 1 or b eq 2) and c eq 3')).toEqual({
      and: [
        {
          or: [
            ['a', 'eq', 1],
            ['b', 'eq', 2],
          ],
        },
        ['c', 'eq', 3],
      ],
    });
  });

  it('parses not, presence, value paths, literals and escaped strings', () => {
    expect(parse('not (title pr)')).toEqual({ not: ['title', 'pr'] });
    expect(parse('emails[type eq "work" and value co "@x"]')).toEqual({
      emails: {
        and: [
          ['type', 'eq', 'work'],
          ['value', 'co', '@x'],
        ],
      },
    });
    expect(parse('active EQ TRUE and x ne null and n le -1.5e2')).toEqual({
      and: [
        {
          and: [
            ['active', 'eq', true],
            ['x', 'ne', null],
          ],
        },
        ['n', 'le', -150],
      ],
    });
    expect(parse('userName eq "a\\"b\\\\c"')).toEqual(['userName', 'eq', 'a"b\\c']);
  });

  it('keeps URN-qualified and dotted attribute paths whole', () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value';
    expect(parse(`${urn} eq "m"`)).toEqual([urn, 'eq', 'm']);
  });

  it('rejects operators the service provider does not support', () => {
    expect(() => parseFilter('a eq "x" or b eq "y"', ['eq', 'and'])).toThrow(/"or" operator is not supported/);
    expect(() => parseFilter('a pr', ['eq'])).toThrow(/"pr"/);
  });
});
