/**
 * The embedded Temporal-compatible engine: an in-memory test double that speaks enough of
 * Temporal's gRPC API for the unchanged `@temporalio/worker` and `@temporalio/client` — for
 * tests (with time skipping) and the offline dev stack (real time). Never the production path.
 */
import { Engine } from './engine';
import { serve } from './server';

export interface StartEngineOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 'default' */
  namespace?: string;
  /** Skip virtual time when nothing is in flight (tests). @default false */
  timeSkipping?: boolean;
  /**
   * Sticky execution; false sends every task to the normal queue with the full history (a
   * benchmark baseline). @default true
   */
  sticky?: boolean;
  /**
   * Task priority orders task queue backlogs by priority key; false dispatches them first in,
   * first out whatever the key (a benchmark baseline). @default true
   */
  priority?: boolean;
  /** Unexpected engine errors (bugs) are reported here. @default console.error */
  onError?: (method: string, err: unknown) => void;
}

export interface EngineHandle {
  /** host:port for `Connection.connect({ address })`. */
  address: string;
  port: number;
  namespace: string;
  timeSkipping: boolean;
  engine: Engine;
  stop(): Promise<void>;
}

export async function startEngine(options: StartEngineOptions = {}): Promise<EngineHandle> {
  const host = options.host ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const timeSkipping = options.timeSkipping ?? false;
  const engine = new Engine({
    timeSkipping,
    namespaces: [...new Set([namespace, 'default'])],
    sticky: options.sticky,
    priority: options.priority,
  });
  const onError = options.onError ?? ((method, err) => console.error(`engine: ${method} failed:`, err));
  engine.clock.onError = (err) => onError('timer', err);
  const { server, port } = await serve(engine, host, options.port ?? 0, onError);
  return {
    address: `${host}:${port}`,
    port,
    namespace,
    timeSkipping,
    engine,
    stop: async () => {
      engine.stop();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    },
  };
}

export { Engine } from './engine';
