import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../lib/config';
import { resolvePolicy } from '../../../lib/config/policy-schema';
import { BASE_CONNECTOR, BASE_POLICY, cleanUp, issuesFor } from './helpers';

afterAll(cleanUp);

const APP = 'connectors/app.yaml';

describe('loadConfig on valid input', () => {
  test('the base fixture has no issues', async () => {
    expect(await issuesFor({})).toEqual([]);
  });

  test('the shipped config/ loads with defaults applied', async () => {
    const config = await loadConfig(join(__dirname, '../../../config'));
    expect(Object.keys(config.connectors).sort()).toEqual(['canva', 'github', 'slack']);
    const canva = config.connectors.canva;
    expect(canva.capabilities).toMatchObject({ patch: false, put: true, groups: false, bulk: false });
    expect(canva.delete).toEqual({ mode: 'none', reversible: false, deactivateIsDestructive: false });
    expect(canva.groups.manage).toBe(false);
    expect(canva.rateLimit).toEqual({ requestsPerSecond: 5, burst: 5, maxConcurrency: 4 });
    expect(canva.timeouts).toEqual({ connectMs: 5000, requestMs: 20000, idleMs: 4000 });
    expect(canva.scim.userSchemaExtensions).toEqual(['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']);
    expect(config.connectors.github.delete).toMatchObject({ mode: 'hard', reversible: false });
    expect(config.policy.slas).toEqual({ joinerMs: 3_600_000, moverMs: 14_400_000, leaverMs: 900_000 });
    expect(config.policy.retention).toEqual({ defaultMs: 2_592_000_000, perAppMs: { github: 7_776_000_000 } });
    expect(config.policy.leaver).toEqual({ removeGroupMemberships: true, recheckAfterMs: 600_000 });
    expect(config.policy.reconciliation).toEqual({ everyMs: 86_400_000 });
  });
});

describe('reconciliation.every', () => {
  test('defaults to 24 h and takes a duration', async () => {
    expect(resolvePolicy({ access: { rules: [] } }, 'policy.yaml').reconciliation).toEqual({ everyMs: 86_400_000 });
    expect(
      resolvePolicy({ access: { rules: [] }, reconciliation: { every: '6h' } }, 'policy.yaml').reconciliation,
    ).toEqual({ everyMs: 21_600_000 });
    expect(await issuesFor({ 'policy.yaml': `reconciliation:\n  every: 6h\n${BASE_POLICY}` })).toEqual([]);
  });

  test('rejects what is not a duration, an interval under a minute and unknown keys, naming the field', async () => {
    expect(await issuesFor({ 'policy.yaml': `reconciliation:\n  every: daily\n${BASE_POLICY}` })).toEqual([
      'policy.yaml:2:10 reconciliation.every — "daily" is not a duration; write a duration such as 15m, 1h, 30d or ISO 8601 PT15M, P30D',
    ]);
    const [tooShort] = await issuesFor({ 'policy.yaml': `reconciliation:\n  every: 10s\n${BASE_POLICY}` });
    expect(tooShort).toContain('reconciliation.every — "10s" is too short');
    expect(tooShort).toContain('use 1m or more');
    const [zero] = await issuesFor({ 'policy.yaml': `reconciliation:\n  every: 0\n${BASE_POLICY}` });
    expect(zero).toContain('reconciliation.every — "0" is too short');
    const [unknown] = await issuesFor({ 'policy.yaml': `reconciliation:\n  interval: 6h\n${BASE_POLICY}` });
    expect(unknown).toContain('reconciliation');
    expect(unknown).toContain('interval');
  });
});

describe('quarantine', () => {
  test('defaults, and each value as written', async () => {
    expect(resolvePolicy({ access: { rules: [] } }, 'policy.yaml').quarantine).toEqual({
      enabled: true,
      windowMs: 300_000,
      authFailures: 3,
      failureRatio: 0.8,
      minRequests: 20,
      probeEveryMs: 300_000,
    });
    const yaml = `quarantine:\n  enabled: true\n  window: 10m\n  authFailures: 5\n  failureRatio: 0.5\n  minRequests: 50\n  probeEvery: 1m\n${BASE_POLICY}`;
    expect(await issuesFor({ 'policy.yaml': yaml })).toEqual([]);
    expect(
      resolvePolicy(
        {
          access: { rules: [] },
          quarantine: { window: '10m', authFailures: 5, failureRatio: 0.5, minRequests: 50, probeEvery: '1m' },
        },
        'policy.yaml',
      ).quarantine,
    ).toEqual({
      enabled: true,
      windowMs: 600_000,
      authFailures: 5,
      failureRatio: 0.5,
      minRequests: 50,
      probeEveryMs: 60_000,
    });
  });

  test('rejects bad values naming the field and the fix', async () => {
    const issue = async (body: string) =>
      (await issuesFor({ 'policy.yaml': `quarantine:\n  ${body}\n${BASE_POLICY}` }))[0];
    expect(await issue('window: 1s')).toContain('quarantine.window — "1s" is too short');
    expect(await issue('probeEvery: 2s')).toContain('quarantine.probeEvery — "2s" is too short');
    expect(await issue('window: often')).toContain('quarantine.window — "often" is not a duration');
    expect(await issue('failureRatio: 1.5')).toContain('quarantine.failureRatio');
    expect(await issue('failureRatio: 0')).toContain('quarantine.failureRatio');
    expect(await issue('authFailures: 0')).toContain('quarantine.authFailures');
    expect(await issue('minRequests: 2.5')).toContain('quarantine.minRequests');
    expect(await issue('threshold: 3')).toContain('threshold');
  });
});

describe('policy leaver.removeGroupMemberships', () => {
  test('defaults to true, can be turned off, and must be a boolean', async () => {
    expect(resolvePolicy({ access: { rules: [] } }, 'policy.yaml').leaver).toMatchObject({
      removeGroupMemberships: true,
    });
    expect(
      resolvePolicy({ leaver: { removeGroupMemberships: false }, access: { rules: [] } }, 'policy.yaml').leaver,
    ).toMatchObject({ removeGroupMemberships: false });
    expect(await issuesFor({ 'policy.yaml': `leaver:\n  removeGroupMemberships: false\n${BASE_POLICY}` })).toEqual([]);
    const issues = await issuesFor({ 'policy.yaml': `leaver:\n  removeGroupMemberships: sometimes\n${BASE_POLICY}` });
    expect(issues).toEqual([
      expect.stringMatching(/policy\.yaml:2:\d+ leaver\.removeGroupMemberships — must be true or false/),
    ]);
  });
});

describe('policy leaver.recheckAfter', () => {
  test('defaults to 10 minutes, 0 turns it off, and must be a duration', async () => {
    expect(resolvePolicy({ access: { rules: [] } }, 'policy.yaml').leaver.recheckAfterMs).toBe(600_000);
    expect(
      resolvePolicy({ leaver: { recheckAfter: '30m' }, access: { rules: [] } }, 'p.yaml').leaver.recheckAfterMs,
    ).toBe(1_800_000);
    expect(resolvePolicy({ leaver: { recheckAfter: 0 }, access: { rules: [] } }, 'p.yaml').leaver.recheckAfterMs).toBe(
      0,
    );
    const issues = await issuesFor({ 'policy.yaml': `leaver:\n  recheckAfter: soon\n${BASE_POLICY}` });
    expect(issues).toEqual([
      expect.stringMatching(/policy\.yaml:2:\d+ leaver\.recheckAfter — "soon" is not a duration/),
    ]);
  });
});

describe('config issues carry file:line:col path — message', () => {
  test('YAML syntax error', async () => {
    const text = BASE_CONNECTOR.replace('  type: bearer', '  type: [bearer');
    expect(await issuesFor({ [APP]: text })).toEqual([
      `${APP}:7:3 — YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
  });

  test('duplicate YAML keys are syntax errors, not silent overrides', async () => {
    const text = BASE_CONNECTOR.replace('displayName: App\n', 'displayName: App\ndisplayName: Other\n');
    expect(await issuesFor({ [APP]: text })).toEqual([`${APP}:3:1 — YAML syntax error: Map keys must be unique`]);
  });

  test('unknown key with did-you-mean', async () => {
    const text = BASE_CONNECTOR.replace('capabilities:\n  groups: true', 'capabilities:\n  group: true');
    expect(await issuesFor({ [APP]: text })).toEqual([
      `${APP}:9:3 capabilities.group — unknown key "group"; did you mean "groups"?`,
    ]);
  });

  test('unknown key without a close match lists the allowed keys', async () => {
    const text = BASE_CONNECTOR.replace(
      '  token: env:APP_SCIM_TOKEN',
      '  token: env:APP_SCIM_TOKEN\n  header: X-Api-Key',
    );
    expect(await issuesFor({ [APP]: text })).toEqual([
      `${APP}:8:3 auth.header — unknown key "header"; allowed keys: type, token`,
    ]);
  });

  test('wrong type', async () => {
    const text = BASE_CONNECTOR.replace('  groups: true', '  groups: yes please');
    expect(await issuesFor({ [APP]: text })).toEqual([
      `${APP}:9:11 capabilities.groups — must be true or false, not the string "yes please"`,
    ]);
  });

  test('missing required key points at the parent', async () => {
    const text = BASE_CONNECTOR.replace('  baseUrl: https://app.example.com/scim/v2\n', '  allowInsecureHttp: false\n');
    expect(await issuesFor({ [APP]: text })).toEqual([`${APP}:3:1 scim.baseUrl — required key "baseUrl" is missing`]);
  });

  test('literal secret', async () => {
    const text = BASE_CONNECTOR.replace('token: env:APP_SCIM_TOKEN', 'token: pasted-literal-abcdef');
    const issues = await issuesFor({ [APP]: text });
    expect(issues).toEqual([
      `${APP}:7:10 auth.token — literal secrets are not allowed in config files; move the value into an environment variable and write "env:APP_SCIM_TOKEN" (or into a file: "file:/run/secrets/…")`,
    ]);
    expect(issues.join('\n')).not.toContain('pasted-literal');
  });

  test('bad auth type with did-you-mean', async () => {
    const text = BASE_CONNECTOR.replace('type: bearer', 'type: baerer');
    expect(await issuesFor({ [APP]: text })).toEqual([
      `${APP}:6:9 auth.type — unknown type "baerer"; did you mean "bearer"? (one of: bearer, basic, oauth2-client-credentials)`,
    ]);
  });

  test('http URL to a non-loopback host', async () => {
    const text = BASE_CONNECTOR.replace('https://app.example.com', 'http://app.example.com');
    expect(await issuesFor({ [APP]: text })).toEqual([
      `${APP}:4:12 scim.baseUrl — plain http to "app.example.com" would send credentials unencrypted; use https: (or set scim.allowInsecureHttp: true for a trusted network)`,
    ]);
  });

  test('http to loopback, or with allowInsecureHttp, is accepted', async () => {
    const loopback = BASE_CONNECTOR.replace('https://app.example.com', 'http://127.0.0.1:9101');
    const allowed = BASE_CONNECTOR.replace(
      'https://app.example.com/scim/v2',
      'http://scim.internal/v2\n  allowInsecureHttp: true',
    );
    expect(await issuesFor({ [APP]: loopback })).toEqual([]);
    expect(await issuesFor({ [APP]: allowed })).toEqual([]);
  });

  test('unknown SCIM path with did-you-mean', async () => {
    const text = `${BASE_CONNECTOR}  - source: workEmail\n    target: emials[type eq "work"].value\n`;
    expect(await issuesFor({ [APP]: text })).toEqual([
      `${APP}:18:13 mappings[2].target — unknown SCIM attribute "emials"; did you mean "emails"?`,
    ]);
  });

  test('cross-field rules', async () => {
    const text =
      BASE_CONNECTOR.replace('capabilities:\n  groups: true\n', 'groups:\n  manage: true\n').replace(
        '    target: userName\n',
        '    target: userName\n    applyOn: [update]\n',
      ) +
      '  - value: Staff\n    map: { a: b }\n    target: userType\n    required: true\n  - source: departmnet\n    target: title\n';
    expect(await issuesFor({ [APP]: text, 'policy.yaml': 'access:\n  rules: []\n' })).toEqual([
      `${APP}:9:11 groups.manage — groups.manage needs capabilities.groups: true (the app must support /Groups)`,
      `${APP}:11:3 mappings — "userName" must be mapped for create (add a mapping with target: userName)`,
      `${APP}:19:10 mappings[2].map — map needs source: (it translates HR values)`,
      `${APP}:21:15 mappings[2].required — a constant is always present; remove required`,
      `${APP}:22:13 mappings[3].source — unknown HR field "departmnet"; did you mean "department"?`,
    ]);
  });

  test('duplicate connector ids and id/file name mismatch', async () => {
    const issues = await issuesFor({ 'connectors/app.yml': BASE_CONNECTOR, 'connectors/other.yaml': BASE_CONNECTOR });
    expect(issues).toEqual([
      `connectors/app.yml:1:5 id — duplicate connector id "app" (another file in connectors/ has the same name)`,
      `connectors/other.yaml:1:5 id — id "app" must equal the file name "other" (rename the file or the id)`,
    ]);
  });

  test('id must equal the file name', async () => {
    expect(await issuesFor({ 'connectors/other.yaml': BASE_CONNECTOR.replace('id: app', 'id: othr') })).toEqual([
      `connectors/other.yaml:1:5 id — id "othr" must equal the file name "other" (rename the file or the id)`,
    ]);
  });

  test('policy grant to an unknown app, groups on an app without groups, bad retention key', async () => {
    const policy = `retention:\n  perApp:\n    ap: 90d\naccess:\n  rules:\n    - name: r\n      when: { departmet: [Sales], employmentType: CONTRACTR }\n      grant:\n        - app: slak\n        - app: nogroups\n          groups: [x]\n`;
    const nogroups = BASE_CONNECTOR.replace('id: app', 'id: nogroups').replace('capabilities:\n  groups: true\n', '');
    expect(await issuesFor({ 'policy.yaml': policy, 'connectors/nogroups.yaml': nogroups })).toEqual([
      `policy.yaml:3:5 retention.perApp.ap — "ap" is not a connector id; did you mean "app"?`,
      `policy.yaml:7:15 access.rules[0].when.departmet — unknown HR field "departmet"; did you mean "department"?`,
      `policy.yaml:7:51 access.rules[0].when.employmentType — "CONTRACTR" is never a value of employmentType; did you mean "CONTRACTOR"? (one of: FULL_TIME, PART_TIME, CONTRACTOR, INTERN, TEMPORARY)`,
      `policy.yaml:9:16 access.rules[0].grant[0].app — unknown app "slak"; apps are the connector ids in connectors/ (app, nogroups)`,
      `policy.yaml:11:19 access.rules[0].grant[1].groups — connector "nogroups" does not manage groups (capabilities.groups is false); remove groups or enable them in nogroups.yaml`,
    ]);
  });

  test('an alert webhook must be https (plain http only to loopback), with a clear error', async () => {
    const withHook = (url: string) => ({ 'policy.yaml': `notifications:\n  webhookUrl: ${url}\n${BASE_POLICY}` });
    expect(await issuesFor(withHook('http://alerts.example.com/hook?token=abc'))).toEqual([
      'policy.yaml:2:15 notifications.webhookUrl — must be an https: URL (plain http only to loopback), not http://alerts.example.com; ' +
        'alerts carry tokens and names; a secret reference (env:NAME / file:/path) is checked when it is read',
    ]);
    expect(await issuesFor(withHook('not a url'))).toEqual([
      expect.stringMatching(/notifications\.webhookUrl — is not a URL/),
    ]);
    expect(await issuesFor(withHook('https://alerts.example.com/hook'))).toEqual([]);
    expect(await issuesFor(withHook('http://127.0.0.1:9000/hook'))).toEqual([]);
    expect(await issuesFor(withHook('http://localhost:9000/hook'))).toEqual([]);
    expect(await issuesFor(withHook('env:JML_ALERT_WEBHOOK_URL'))).toEqual([]);
  });

  test('issues of all files are collected, and loadConfig throws them all at once', async () => {
    const issues = await issuesFor({
      [APP]: BASE_CONNECTOR.replace('type: bearer', 'type: bearr'),
      'connectors/b.yaml': 'id: b\nscim: [\n',
      'policy.yaml': BASE_POLICY.replace('grant:', 'grants:'),
    });
    expect(issues).toHaveLength(4);
    expect(issues[0]).toMatch(/^connectors\/app\.yaml:6:9 auth\.type — unknown type "bearr"/);
    expect(issues[1]).toMatch(/^connectors\/b\.yaml:\d+:\d+ — YAML syntax error/);
    expect(issues.slice(2)).toEqual([
      'policy.yaml:3:7 access.rules[0].grant — required key "grant" is missing',
      'policy.yaml:4:7 access.rules[0].grants — unknown key "grants"; did you mean "grant"?',
    ]);
  });

  test('loadConfig throws ConfigError with code CONFIG_INVALID listing every issue', async () => {
    const err = await loadConfig(join(__dirname, 'fixtures/broken')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const configError = err as ConfigError;
    expect(configError.code).toBe('CONFIG_INVALID');
    expect(configError.issues.length).toBeGreaterThan(2);
    expect(configError.message.split('\n')).toHaveLength(configError.issues.length + 1);
  });

  test('a missing policy file and an empty connectors dir are reported', async () => {
    expect(await issuesFor({ [APP]: undefined, 'policy.yaml': undefined, 'connectors/README': 'x' })).toEqual([
      'connectors — no connector files (*.yaml)',
      'policy.yaml — not found; the policy file holds SLAs, retention and access rules',
    ]);
  });

  test('connectors sharing a rate-limit budget must agree on its numbers', async () => {
    const withBudget = (id: string, limits: string) =>
      BASE_CONNECTOR.replace('id: app', `id: ${id}`).replace(
        'capabilities:',
        `rateLimit:\n  budget: org\n${limits}capabilities:`,
      );
    expect(
      await issuesFor({
        [APP]: withBudget('app', '  requestsPerSecond: 3\n'),
        'connectors/b.yaml': withBudget('b', '  requestsPerSecond: 5\n'),
      }),
    ).toEqual([
      'connectors/b.yaml:10:22 rateLimit.requestsPerSecond — budget "org" has requestsPerSecond 3 in connectors/app.yaml; connectors sharing a budget must agree (or state it in one file only)',
    ]);
  });
});

test('a budget defined once is inherited by the other connectors that name it', async () => {
  const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const root = await mkdtemp(join(tmpdir(), 'jml-budget-'));
  await mkdir(join(root, 'connectors'));
  const withBudget = (id: string, limits: string) =>
    BASE_CONNECTOR.replace('id: app', `id: ${id}`).replace(
      'capabilities:',
      `rateLimit:\n  budget: org\n${limits}capabilities:`,
    );
  await writeFile(join(root, 'connectors/app.yaml'), withBudget('app', '  requestsPerSecond: 3\n  burst: 20\n'));
  await writeFile(join(root, 'connectors/b.yaml'), withBudget('b', '  maxConcurrency: 2\n'));
  await writeFile(join(root, 'policy.yaml'), BASE_POLICY);
  const config = await loadConfig(root);
  expect(config.connectors.b.rateLimit).toEqual({ requestsPerSecond: 3, burst: 20, budget: 'org', maxConcurrency: 2 });
  await rm(root, { recursive: true, force: true });
});

test('relative file: secrets are anchored to the config directory; YAML merge keys work', async () => {
  const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const root = await mkdtemp(join(tmpdir(), 'jml-anchor-'));
  await mkdir(join(root, 'connectors'));
  const connector = BASE_CONNECTOR.replace('token: env:APP_SCIM_TOKEN', 'token: file:secrets/app-token').replace(
    'displayName: App\n',
    'displayName: App\ntimeouts:\n  <<: { connect: 2s, request: 10s, idle: 1500ms }\n',
  );
  await writeFile(join(root, 'connectors/app.yaml'), connector);
  await writeFile(join(root, 'policy.yaml'), BASE_POLICY);
  const config = await loadConfig(root);
  expect(config.connectors.app.auth).toEqual({ type: 'bearer', token: `file:${join(root, 'secrets/app-token')}` });
  expect(config.connectors.app.timeouts).toEqual({ connectMs: 2000, requestMs: 10000, idleMs: 1500 });
  await rm(root, { recursive: true, force: true });
});

test('after schema errors the rules still run on everything that is intact', async () => {
  const connector =
    BASE_CONNECTOR.replace('capabilities:\n  groups: true\n', 'capabilities:\n  groups: true\n  maxPageSize: 0\n') +
    '  - source: workEmail\n    target: emails[type eq "work"].value\n    transform: [lowercase]\n  - source: titel\n    target: title\n';
  const policy =
    'slas:\n  leaver: P1M\naccess:\n  rules:\n    - name: a\n      when: { department: null }\n      grant: []\n    - name: b\n      grant: [{ app: ap }]\n';
  expect(await issuesFor({ [APP]: connector, 'policy.yaml': policy })).toEqual([
    `${APP}:10:16 capabilities.maxPageSize — must be >= 1`,
    `${APP}:20:17 mappings[2].transform[0] — "lowercase" is not allowed; did you mean "lower"? (one of: lower, upper, trim)`,
    `${APP}:21:13 mappings[3].source — unknown HR field "titel"; did you mean "title"?`,
    'policy.yaml:2:11 slas.leaver — "P1M" is not a duration; write a duration such as 15m, 1h, 30d or ISO 8601 PT15M, P30D',
    'policy.yaml:6:27 access.rules[0].when.department — must be a string, a number, true/false or a list, not null',
    'policy.yaml:7:14 access.rules[0].grant — must not be empty',
    'policy.yaml:9:22 access.rules[1].grant[0].app — unknown app "ap"; did you mean "app"?',
  ]);
});

describe('guard (mass-change guard)', () => {
  test('defaults to 50 changes per app per hour, HR terminations not held', () => {
    expect(resolvePolicy({ access: { rules: [] } }, 'policy.yaml').guard).toEqual({
      windowMs: 3_600_000,
      maxCount: 50,
      holdHrTerminations: false,
      allApps: {},
      apps: {},
    });
  });

  test('takes a window, limits, per-app overrides and holdHrTerminations', async () => {
    const guard = {
      window: '2h',
      maxPercent: 10,
      holdHrTerminations: true,
      allApps: { maxCount: 100 },
      apps: { app: { maxCount: 5, window: '30m' } },
    };
    expect(resolvePolicy({ access: { rules: [] }, guard }, 'policy.yaml').guard).toEqual({
      windowMs: 7_200_000,
      maxPercent: 10,
      holdHrTerminations: true,
      allApps: { maxCount: 100 },
      apps: { app: { maxCount: 5, windowMs: 1_800_000 } },
    });
    const yaml = `guard:\n  window: 2h\n  maxPercent: 10\n  holdHrTerminations: true\n  allApps:\n    maxCount: 100\n  apps:\n    app:\n      maxCount: 5\n      window: 30m\n${BASE_POLICY}`;
    expect(await issuesFor({ 'policy.yaml': yaml })).toEqual([]);
  });

  test('the shipped policy has a guard', async () => {
    const config = await loadConfig(join(__dirname, '../../../config'));
    expect(config.policy.guard).toEqual(
      expect.objectContaining({ windowMs: 3_600_000, maxCount: 20, maxPercent: 10, holdHrTerminations: false }),
    );
  });

  test('bad values are named with the field and the fix', async () => {
    const issues = async (guard: string) => issuesFor({ 'policy.yaml': `guard:\n${guard}${BASE_POLICY}` });
    expect(await issues('  maxCount: 0\n')).toEqual([
      expect.stringMatching(/guard\.maxCount — must be 1 or more \(leave it out for no count limit\)/),
    ]);
    expect(await issues('  maxCount: 2.5\n')).toEqual([
      expect.stringMatching(/guard\.maxCount — must be a whole number of changes/),
    ]);
    expect(await issues('  maxPercent: 150\n')).toEqual([
      expect.stringMatching(/guard\.maxPercent — must be at most 100/),
    ]);
    expect(await issues('  window: hourly\n')).toEqual([
      expect.stringMatching(/guard\.window — "hourly" is not a duration; write a duration such as 15m/),
    ]);
    expect(await issues('  window: 10s\n')).toEqual([
      expect.stringMatching(/guard\.window — "10s" is too short: .*use 1m or more/),
    ]);
    expect(await issues('  holdHrTerminations: maybe\n')).toEqual([
      expect.stringMatching(/guard\.holdHrTerminations — must be true or false/),
    ]);
    const [unknownApp] = await issues('  apps:\n    ap:\n      maxCount: 3\n');
    expect(unknownApp).toContain('guard.apps.ap');
    expect(unknownApp).toContain('"ap" is not a connector id');
    expect(unknownApp).toContain('app');
    const [unknownKey] = await issues('  threshold: 3\n');
    expect(unknownKey).toContain('threshold');
  });
});
