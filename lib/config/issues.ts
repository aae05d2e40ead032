/**
 * Config problems, each pinned to a file position and a path so the reader can go straight to
 * the line: `config/connectors/slack.yaml:14:5 mappings[3].target — unknown SCIM attribute …`.
 */
import { ERROR_CODES, JmlError } from '../errors';

/** One problem in one config file. `line`/`column` are 1-based; 0 when the file itself is the problem. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path with indices (`mappings[3].target`); empty for the whole file. */
  path: string;
  message: string;
}

/** A path segment list → `mappings[3].target`, quoting keys that are not identifiers. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(String(segment)))
      out += out === '' ? String(segment) : `.${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** One issue as one line. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where} ${issue.path} — ${issue.message}` : `${where} — ${issue.message}`;
}

/** Every issue, one per line, in file then position order. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return sortIssues(issues).map(formatConfigIssue).join('\n');
}

/** File, then line, then column: the order a reader fixes them in. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** The configuration is invalid; `issues` holds every problem found, not just the first. */
export class ConfigError extends JmlError {
  override name = 'ConfigError';
  readonly issues: ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const sorted = sortIssues(issues);
    const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
    super(ERROR_CODES.CONFIG_INVALID, `invalid configuration (${count}):\n${formatConfigIssues(sorted)}`);
    this.issues = sorted;
  }
}
