/**
 * SCIM attribute paths as mapping targets and PATCH paths.
 *
 * Grammar (a subset of RFC 7644 §3.10 attribute notation and the §3.5.2 `PATH` rule):
 *
 * ```
 * PATH      = [URN ":"] attrName [ "[" filter "]" ] [ "." subAttr ]
 * filter    = subAttr SP "eq" SP compValue        ; one equality test, e.g. type eq "work"
 * compValue = JSON string / "true" / "false" / number
 * ```
 *
 * Only `eq` is supported inside the brackets: a mapping target must name exactly one value of
 * a multi-valued attribute, which richer filters (`co`, `or`) cannot guarantee.
 */

/** A parsed path; `schema` is the extension URN when the path had one. */
export interface ScimPath {
  /** Extension schema URN prefix (RFC 7644 §3.10), as written. */
  schema?: string;
  attribute: string;
  /** Value selection for multi-valued attributes (RFC 7644 §3.5.2 `valuePath`). */
  filter?: { attribute: string; value: string | boolean | number };
  subAttribute?: string;
}

/** A path that does not follow the grammar; `offset` is the 0-based character position. */
export class ScimPathSyntaxError extends Error {
  override name = 'ScimPathSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** RFC 7643 §2.1 ATTRNAME, plus `$ref` (a reserved sub-attribute name, RFC 7643 §2.4). */
const ATTR_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
const FILTER = /^\s*(\$ref|[A-Za-z][A-Za-z0-9_-]*)\s+(eq)\s+("(?:[^"\\]|\\.)*"|true|false|-?\d+(?:\.\d+)?)\s*$/i;

/**
 * Parses a target path.
 * @throws ScimPathSyntaxError saying what is wrong and where.
 */
export function parseScimPath(text: string): ScimPath {
  const bracket = text.indexOf('[');
  const head = bracket === -1 ? text : text.slice(0, bracket);
  let schema: string | undefined;
  let rest = text;
  let offset = 0;
  if (/^urn:/i.test(head)) {
    const colon = head.lastIndexOf(':');
    schema = head.slice(0, colon);
    rest = text.slice(colon + 1);
    offset = colon + 1;
  }
  const open = rest.indexOf('[');
  if (open === -1) return { schema, ...parseDotted(rest, offset) };
  const close = closingBracket(rest, open);
  if (close === -1) throw new ScimPathSyntaxError('"[" is never closed with "]"', offset + open);
  const attribute = checkName(rest.slice(0, open), offset);
  const filter = parseFilter(rest.slice(open + 1, close), offset + open + 1);
  const tail = rest.slice(close + 1);
  if (tail === '') return { schema, attribute, filter };
  if (!tail.startsWith('.')) {
    throw new ScimPathSyntaxError(`expected "." and a sub-attribute after "]", found "${tail}"`, offset + close + 1);
  }
  const subAttribute = checkName(tail.slice(1), offset + close + 2);
  return { schema, attribute, filter, subAttribute };
}

/** The `]` closing the filter at `open`, skipping brackets inside quoted values. */
function closingBracket(text: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === ']' && !quoted) return i;
  }
  return -1;
}

function parseDotted(text: string, offset: number): Omit<ScimPath, 'schema'> {
  const parts = text.split('.');
  if (parts.length > 2) {
    throw new ScimPathSyntaxError(
      'a path has at most one sub-attribute (attr.sub)',
      offset + parts[0].length + parts[1].length + 1,
    );
  }
  const attribute = checkName(parts[0], offset);
  return parts.length === 2
    ? { attribute, subAttribute: checkName(parts[1], offset + parts[0].length + 1) }
    : { attribute };
}

function checkName(name: string, offset: number): string {
  if (!ATTR_NAME.test(name)) {
    const what = name === '' ? 'an attribute name is missing' : `"${name}" is not a valid attribute name`;
    throw new ScimPathSyntaxError(`${what} (letters, digits, "-" and "_", starting with a letter)`, offset);
  }
  return name;
}

function parseFilter(text: string, offset: number): NonNullable<ScimPath['filter']> {
  const m = FILTER.exec(text);
  if (!m) {
    throw new ScimPathSyntaxError(
      `unsupported value filter "[${text}]"; write one equality test such as [type eq "work"]`,
      offset,
    );
  }
  const literal = m[3];
  let value: string | boolean | number;
  if (literal.startsWith('"')) value = JSON.parse(literal) as string;
  else if (/^(true|false)$/i.test(literal)) value = literal.toLowerCase() === 'true';
  else value = Number(literal);
  return { attribute: m[1], value };
}

/** The canonical text of a path: `emails[type eq "work"].value`, `urn:…:User:manager.value`. */
export function formatScimPath(path: ScimPath): string {
  let out = path.schema ? `${path.schema}:${path.attribute}` : path.attribute;
  if (path.filter) out += `[${formatFilter(path.filter)}]`;
  if (path.subAttribute) out += `.${path.subAttribute}`;
  return out;
}

/** `type eq "work"` with the value quoted as a JSON string (RFC 7644 §3.4.2.2). */
export function formatFilter(filter: NonNullable<ScimPath['filter']>): string {
  return `${filter.attribute} eq ${JSON.stringify(filter.value)}`;
}
