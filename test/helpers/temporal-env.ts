/**
 * The Temporal environment every workflow test uses: the embedded engine (in-process, time
 * skipping by default), or — with `TEMPORAL_ADDRESS` set — a real server, so the same tests
 * run against real Temporal. With time skipping, `handle.result()` lets time jump (the SDK's
 * TimeSkippingWorkflowClient unlocks skipping while it waits) and `sleep` skips virtual time.
 */
import { Client, Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs } from '@temporalio/common/lib/time';
import { TimeSkippingClient } from '@temporalio/testing/lib/client';
import { NativeConnection, Runtime, makeTelemetryFilterString, DefaultLogger } from '@temporalio/worker';
import { startEngine, type EngineHandle } from '../../engine';

export interface TemporalTestEnv {
  client: Client;
  nativeConnection: NativeConnection;
  namespace: string;
  address: string;
  supportsTimeSkipping: boolean;
  /** The embedded engine (absent against a real server), e.g. to serve its HTTP API. */
  engine?: EngineHandle;
  sleep(ms: number): Promise<void>;
  currentTimeMs(): Promise<number>;
  teardown(): Promise<void>;
}

let runtimeInstalled = false;

/** Quiet SDK logs in tests (expected activity failures would drown the output; errors still show). */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    });
  } catch {
    // Already installed by another helper in this process.
  }
}

export async function createTestEnv(options: { timeSkipping?: boolean } = {}): Promise<TemporalTestEnv> {
  installQuietRuntime();
  const external = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  let engine: EngineHandle | undefined;
  let address: string;
  if (external) {
    address = external;
  } else {
    engine = await startEngine({ timeSkipping: options.timeSkipping ?? true, namespace });
    address = engine.address;
  }
  const timeSkipping = !external && (options.timeSkipping ?? true);
  if (timeSkipping) {
    // The SDK's own time-skipping client (result() unlocks skipping while it waits), on our engine's TestService.
    const internal = { [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
    const connection = await Connection.connect({ address, ...internal });
    const nativeConnection = await NativeConnection.connect({ address, ...internal });
    const testService = connection.testService!;
    return {
      client: new TimeSkippingClient({ connection, namespace }),
      nativeConnection,
      namespace,
      address,
      engine,
      supportsTimeSkipping: true,
      sleep: async (ms) => {
        await testService.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
      },
      currentTimeMs: async () => {
        const res = await testService.getCurrentTime({});
        return Number(res.time?.seconds ?? 0) * 1000 + Math.floor((res.time?.nanos ?? 0) / 1e6);
      },
      teardown: async () => {
        await nativeConnection.close();
        await connection.close();
        await engine?.stop();
      },
    };
  }
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, namespace }),
    nativeConnection,
    namespace,
    address,
    engine,
    supportsTimeSkipping: false,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    currentTimeMs: async () => Date.now(),
    teardown: async () => {
      await nativeConnection.close();
      await connection.close();
      await engine?.stop();
    },
  };
}
