/** SDK log lines become pino JSON lines (one per message, redacted like ours), filtered by level. */
import { Writable } from 'node:stream';
import { createLogger } from '../../../lib/logger';
import { PinoSdkLogger } from '../../../lib/temporal/runtime';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination }) };
}

test('one JSON line per SDK message, with its metadata under "sdk"', () => {
  const { lines, logger } = capture();
  const sdk = new PinoSdkLogger(logger, 'INFO');
  sdk.info('Worker state changed', { sdkComponent: 'worker', taskQueue: 'jml-lifecycle', state: 'RUNNING' });
  sdk.error('Activity failed', { sdkComponent: 'activity', activityType: 'deactivateAccount' });
  expect(lines).toEqual([
    expect.objectContaining({
      level: 30,
      msg: 'Worker state changed',
      sdk: { sdkComponent: 'worker', taskQueue: 'jml-lifecycle', state: 'RUNNING' },
    }),
    expect.objectContaining({ level: 50, msg: 'Activity failed' }),
  ]);
});

test('drops what is below its level', () => {
  const { lines, logger } = capture();
  const sdk = new PinoSdkLogger(logger, 'WARN');
  sdk.debug('New WFT');
  sdk.info('Initializing worker');
  sdk.warn('Worker heartbeating not supported');
  expect(lines.map((l) => l.msg)).toEqual(['Worker heartbeating not supported']);
});
