/**
 * A parsed YAML file that remembers where every node came from, so an issue found on the
 * plain data (by zod or a cross-field rule) can be reported at its line and column.
 */
import { relative, isAbsolute } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { formatIssuePath, type ConfigIssue } from './issues';

/** A zod-style path into the document (`['mappings', 3, 'target']`). */
export type IssuePath = readonly PropertyKey[];

/** One parsed file with its position index. */
export interface YamlSource {
  /** The path shown in messages (relative to the working directory when inside it). */
  file: string;
  doc: Document;
  lines: LineCounter;
  /** The plain data (`undefined` when the file did not parse). */
  data: unknown;
}

/** What to display for a file: relative to the cwd when it is below it, else absolute. */
export function displayPath(absolute: string, cwd = process.cwd()): string {
  const rel = relative(cwd, absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

/** Parses YAML, returning syntax errors (all of them) as issues. */
export function parseYamlSource(file: string, text: string): { source: YamlSource; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  // uniqueKeys makes a repeated key an error instead of a silent override; merge keys
  // (`<<: *common`) let connector files share blocks such as standard mappings.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: true });
  const issues: ConfigIssue[] = doc.errors.map((err) => {
    const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
    return {
      file,
      line: pos.line,
      column: pos.col,
      path: '',
      message: `YAML syntax error: ${firstSentence(err.message)}`,
    };
  });
  let data: unknown;
  if (issues.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // yaml throws (a ReferenceError) when aliases expand past maxAliasCount: an alias bomb,
      // or aliases used far beyond sharing a block. Reported at the first alias, never thrown.
      const at = lines.linePos(firstAliasOffset(doc));
      issues.push({
        file,
        line: at.line,
        column: at.col,
        path: '',
        message: `YAML aliases expand too far (${firstSentence((err as Error).message)}); write the values out or use fewer *aliases`,
      });
    }
  }
  return { source: { file, doc, lines, data }, issues };
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** yaml's messages end with " at line N, column M:" and a code excerpt; the position is reported separately. */
function firstSentence(message: string): string {
  return message.split(/ at line \d+, column \d+/)[0].trim();
}

interface Located {
  node: Node | null | undefined;
  key?: Node;
}

/** Walks as far down `path` as the document goes. */
function walk(doc: Document, path: IssuePath): { found: Located; depth: number } {
  let current: Located = { node: doc.contents as Node | null };
  let depth = 0;
  for (const segment of path) {
    const node = current.node;
    let next: Located | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair) next = { node: pair.value as Node | null, key: pair.key as Node };
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item !== undefined) next = { node: item as Node };
    }
    if (!next) break;
    current = next;
    depth++;
  }
  return { found: current, depth };
}

/**
 * The issue at `path`. Points at the value when it exists, at its key when `at: 'key'`
 * (unknown keys), and otherwise at the closest ancestor that exists (a missing key).
 */
export function issueAt(
  source: YamlSource,
  path: IssuePath,
  message: string,
  at: 'value' | 'key' = 'value',
): ConfigIssue {
  const { found, depth } = walk(source.doc, path);
  const complete = depth === path.length;
  const target = (complete && at === 'value' ? found.node : undefined) ?? found.key ?? found.node;
  const offset = target?.range?.[0] ?? 0;
  const pos = source.lines.linePos(offset);
  return { file: source.file, line: pos.line, column: pos.col, path: formatIssuePath(path), message };
}
