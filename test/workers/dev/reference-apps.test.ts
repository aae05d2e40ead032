import path from 'node:path';
import { request } from 'undici';
import { loadConfig, resolveSecret } from '../../../lib/config';
import { grantableGroups, startReferenceApps } from '../../../workers/dev/reference-apps';

const CONFIG_DIR = path.join(__dirname, '..', '..', '..', 'config');

describe('reference apps standing in for the shipped connectors', () => {
  it('seeds the groups the policy can grant where the connector may not create groups', async () => {
    const config = await loadConfig(CONFIG_DIR);
    // github: groups.create false, nameTemplate eng-{{group}}, rules grant {{department}} for Engineering/Platform.
    expect(grantableGroups(config, config.connectors.github!)).toEqual(
      expect.arrayContaining(['eng-Engineering', 'eng-Platform', 'eng-all', 'eng-contractors']),
    );
    expect(grantableGroups(config, config.connectors.canva!)).toEqual([]);
  });

  it('starts one server per connector with its credentials and repoints the config', async () => {
    const config = await loadConfig(CONFIG_DIR);
    const env: NodeJS.ProcessEnv = {};
    const stack = await startReferenceApps(config, { ports: 'any', env });
    try {
      expect(Object.keys(stack.apps).sort()).toEqual(Object.keys(config.connectors).sort());
      const slack = stack.config.connectors.slack!;
      expect(slack.scim.baseUrl).toBe(stack.apps.slack!.url);
      // The generated token was published under the connector's env name and is accepted.
      const token = await resolveSecret('env:SLACK_SCIM_TOKEN', { env });
      const ok = await request(`${slack.scim.baseUrl}/Users`, { headers: { authorization: `Bearer ${token}` } });
      await ok.body.dump();
      expect(ok.statusCode).toBe(200);
      const denied = await request(`${slack.scim.baseUrl}/Users`, { headers: { authorization: 'Bearer wrong' } });
      await denied.body.dump();
      expect(denied.statusCode).toBe(401);
      const canva = stack.config.connectors.canva!;
      expect(
        canva.auth.type === 'oauth2-client-credentials' &&
          canva.auth.tokenUrl.startsWith(new URL(stack.apps.canva!.url).origin),
      ).toBe(true);
      expect(stack.apps.github!.server.groups().map((g) => g.displayName)).toContain('eng-Engineering');
    } finally {
      await stack.stop();
    }
  });
});
