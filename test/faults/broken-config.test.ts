/**
 * Broken connector YAML, as an admin might commit it: `jml worker` refuses to start, prints the
 * file, line, column and path of each problem with its fix, exits 1, and never reaches the point
 * of polling Temporal (no TEMPORAL_ADDRESS is even reachable here). A literal secret pasted into
 * the file is never echoed back.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const SLACK = readFileSync(path.join(ROOT, 'config', 'connectors', 'slack.yaml'), 'utf8');
const PASTED_SECRET = 'pasted-literal-secret-0123456789';
/** 1-based line of `needle` in the shipped slack.yaml: the broken line keeps its place. */
const lineOf = (needle: string) => SLACK.split('\n').findIndex((l) => l.includes(needle)) + 1;

interface BrokenCase {
  name: string;
  /** The broken slack.yaml (or an extra file). */
  file: string;
  content: string;
  /** `file:line:col path — …` prefixes (and phrases) the output must contain. */
  expect: RegExp[];
}

const cases: BrokenCase[] = [
  {
    name: 'YAML syntax error',
    file: 'slack.yaml',
    content: SLACK.replace('displayName: Slack', 'displayName: "Slack'),
    expect: [/slack\.yaml:\d+:\d+ /],
  },
  {
    name: 'literal secret',
    file: 'slack.yaml',
    content: SLACK.replace('token: env:SLACK_SCIM_TOKEN', `token: ${PASTED_SECRET}`),
    expect: [
      new RegExp(
        `slack\\.yaml:${lineOf('token: env:SLACK_SCIM_TOKEN')}:10 auth\\.token — literal secrets are not allowed`,
      ),
      /env:/,
    ],
  },
  {
    name: 'plain http to a remote host',
    file: 'slack.yaml',
    content: SLACK.replace(/baseUrl: http:\/\/127\.0\.0\.1:9101/, 'baseUrl: http://slack.example.com'),
    expect: [new RegExp(`slack\\.yaml:${lineOf('baseUrl:')}:12 scim\\.baseUrl — plain http`), /allowInsecureHttp/],
  },
  {
    name: 'misspelt key',
    file: 'slack.yaml',
    content: SLACK.replace('rateLimit:', 'rateLimt:'),
    expect: [
      new RegExp(`slack\\.yaml:${lineOf('rateLimit:')}:1 rateLimt — unknown key`),
      /unknown key "rateLimt"; did you mean "rateLimit"\?/,
    ],
  },
  {
    name: 'wrong type',
    file: 'slack.yaml',
    content: SLACK.replace('requestsPerSecond: 3', 'requestsPerSecond: fast'),
    expect: [/slack\.yaml:\d+:\d+ rateLimit\.requestsPerSecond — /],
  },
  {
    name: 'unknown delete mode',
    file: 'slack.yaml',
    content: SLACK.replace('mode: deactivate-only', 'mode: soft'),
    expect: [/slack\.yaml:\d+:\d+ delete\.mode — /, /hard|deactivate-only|none/],
  },
  {
    name: 'broken value-filter path',
    file: 'slack.yaml',
    content: SLACK.replace('target: emails[type eq "work"].value', 'target: emails[type eq "work".value'),
    expect: [/slack\.yaml:\d+:\d+ mappings\[\d+\]\.target — /],
  },
  {
    name: 'two connectors with one id',
    file: 'slack-copy.yaml',
    content: SLACK,
    expect: [/slack-copy\.yaml:\d+:\d+ id — /],
  },
  {
    name: 'YAML alias bomb',
    file: 'slack.yaml',
    content: `${SLACK}\nx-bomb:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    expect: [/slack\.yaml:\d+:\d+ .*YAML aliases expand too far/],
  },
  {
    name: 'file: secret outside the secrets directory',
    file: 'slack.yaml',
    content: SLACK.replace('token: env:SLACK_SCIM_TOKEN', 'token: file:/etc/passwd'),
    expect: [
      new RegExp(
        `slack\\.yaml:${lineOf('token: env:SLACK_SCIM_TOKEN')}:10 auth\\.token — file:/etc/passwd is outside the secrets directory`,
      ),
      /JML_SECRETS_DIR/,
    ],
  },
  {
    name: "env: naming the process's own secret",
    file: 'slack.yaml',
    content: SLACK.replace('token: env:SLACK_SCIM_TOKEN', 'token: env:DATABASE_URL'),
    expect: [
      new RegExp(
        `slack\\.yaml:${lineOf('token: env:SLACK_SCIM_TOKEN')}:10 auth\\.token — env:DATABASE_URL is one of jml-orchestrator's own secrets`,
      ),
    ],
  },
];

function runWorker(configDir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'jml.js'), 'worker', '--config', configDir], {
      cwd: ROOT,
      // Nothing listens here: reaching the connect step would hang and retry, not exit 1 at once.
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: '127.0.0.1:9',
        SLACK_SCIM_TOKEN: 's',
        GITHUB_SCIM_TOKEN: 'g',
        CANVA_CLIENT_SECRET: 'c',
        LOG_LEVEL: 'info',
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test.each(cases)('$name: jml worker names the problem and does not start', async (c) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jml-broken-'));
  try {
    cpSync(path.join(ROOT, 'config'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'connectors', c.file), c.content);
    const { code, out } = await runWorker(dir);
    expect(code).toBe(1);
    for (const re of c.expect) expect(out).toMatch(re);
    expect(out).toMatch(/jml worker: not starting — .* \d+ problems?; fix them/);
    expect(out).not.toContain('lifecycle worker running');
    expect(out).not.toContain(PASTED_SECRET);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
