/**
 * `jml engine`: the embedded Temporal-compatible engine as its own process, so the worker and
 * the API can run as separate processes against it (offline dev, tests). Prints its address
 * when ready; SIGINT/SIGTERM stop it. In-memory: everything is gone when it stops.
 */
import { parseCommandArgs, UsageError } from '../args';
import { untilSignal } from '../startup';
import { startEngine } from '../../engine';
import { serveTemporalUi } from '../temporal-ui';

/** One line for `jml --help`. */
export const summary =
  'Run the embedded Temporal-compatible engine (in-memory test double; real Temporal in production)';

const HELP = `Usage: jml engine [--port 7233] [--host 127.0.0.1] [--namespace default] [--time-skipping] [--no-sticky]
                  [--no-priority]
                  [--ui-port 8233 | --no-ui]

Runs the in-memory engine that the SDK's worker and client talk to as if it were a Temporal
server. Not for production: nothing is persisted. See docs/engine.md.

  --time-skipping   virtual time jumps to the next timer when nothing is in flight
                    (the test server's semantics); default: real time
  --no-sticky       no sticky execution: every workflow task on the normal queue with
                    the full history (a benchmark baseline)
  --no-priority     task queues dispatch first in, first out, ignoring task priority
                    keys (a benchmark baseline)
  --ui-port         the Temporal UI and Temporal's HTTP API (/api/v1) on one origin, as
                    temporal server start-dev has them (0 = any free port; default 8233,
                    or any free port when --port is 0); the UI itself
                    once built with \`npx jml ui build\`
  --no-ui           no HTTP port at all`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      port: { type: 'string', default: '7233' },
      host: { type: 'string', default: '127.0.0.1' },
      namespace: { type: 'string', default: 'default' },
      'time-skipping': { type: 'boolean', default: false },
      'no-sticky': { type: 'boolean', default: false },
      'no-priority': { type: 'boolean', default: false },
      'ui-port': { type: 'string' },
      'no-ui': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number, not "${values.port}"`);
  const sticky = !values['no-sticky'];
  // With --port 0 (tests, benchmarks) the UI port is any free one too, so parallel runs never collide.
  const uiPort = Number(values['ui-port'] ?? (port === 0 ? 0 : 8233));
  if (!Number.isInteger(uiPort) || uiPort < 0 || uiPort > 65535)
    throw new UsageError(`--ui-port must be a port number, not "${values['ui-port']}"`);
  const engine = await startEngine({
    port,
    host: values.host,
    namespace: values.namespace,
    timeSkipping: values['time-skipping'],
    sticky,
    priority: !values['no-priority'],
  });
  let ui;
  try {
    ui = values['no-ui']
      ? undefined
      : await serveTemporalUi({
          engine: engine.engine,
          host: values.host,
          port: uiPort,
          namespace: engine.namespace,
          option: '--ui-port',
        });
  } catch (err) {
    await engine.stop();
    throw err;
  }
  console.log(
    `Temporal-compatible engine listening on ${engine.address} (namespace ${engine.namespace}, ${engine.timeSkipping ? 'time skipping' : 'real time'})`,
  );
  if (ui)
    console.log(
      ui.withUi
        ? `Temporal UI  ${ui.url}`
        : `Temporal HTTP API  ${ui.url}/api/v1   (the UI is not built: npx jml ui build)`,
    );
  await untilSignal();
  await ui?.close();
  await engine.stop();
  return 0;
}
