import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts tokens, Authorization headers and client secrets wherever they are nested', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ destination: stream, level: 'debug' });
    logger.info(
      {
        headers: { authorization: 'Bearer s3cr3t-token' },
        auth: { token: 's3cr3t-token', clientSecret: 'cs-123', password: 'pw-1' },
        request: { headers: { Authorization: 'Basic dXNlcjpwdw==' } },
      },
      'scim request',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('s3cr3t-token');
    expect(text).not.toContain('cs-123');
    expect(text).not.toContain('pw-1');
    expect(text).not.toContain('dXNlcjpwdw==');
    expect(lines[0]).toMatchObject({ msg: 'scim request', headers: { authorization: '[REDACTED]' } });
  });
});
