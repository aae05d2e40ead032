import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkConfigDir, formatConfigIssue } from '../../../lib/config';

/** A minimal valid connector; tests replace lines of it. */
export const BASE_CONNECTOR = `id: app
displayName: App
scim:
  baseUrl: https://app.example.com/scim/v2
auth:
  type: bearer
  token: env:APP_SCIM_TOKEN
capabilities:
  groups: true
mappings:
  - source: employeeId
    target: externalId
    required: true
  - source: workEmail
    target: userName
    required: true
`;

export const BASE_POLICY = `access:
  rules:
    - name: everyone
      grant:
        - app: app
          groups: [staff]
`;

const dirs: string[] = [];

/** Writes a config dir (defaults: the base connector and policy) and returns formatted issues. */
export async function issuesFor(files: Record<string, string | undefined>): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'jml-config-'));
  dirs.push(root);
  const all: Record<string, string | undefined> = {
    'connectors/app.yaml': BASE_CONNECTOR,
    'policy.yaml': BASE_POLICY,
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    if (text === undefined) continue;
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), text);
  }
  const { issues } = await checkConfigDir(root, { cwd: root });
  return issues.map(formatConfigIssue);
}

export async function cleanUp(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
