/**
 * The SDK's process-wide runtime for long-running commands. SDK and core logs go through our
 * pino logger (one JSON line each, secrets redacted, like every other line the process writes)
 * rather than the SDK's default multi-line console output on stderr; at WARN by default
 * (LOG_LEVEL=debug shows them all), so worker chatter does not drown our own logs.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from '../logger';

const LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};
const ORDER: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const PINO_METHOD = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;

/** The SDK's Logger interface over pino, dropping what is below `min`. */
export class PinoSdkLogger implements SdkLogger {
  constructor(
    private readonly pino: Logger,
    private readonly min: LogLevel,
  ) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    if (ORDER.indexOf(level) < ORDER.indexOf(this.min)) return;
    // The task token lets anyone holding it complete or fail the activity: it never goes to a log.
    const { taskToken: _token, error, ...rest } = meta;
    this.pino[PINO_METHOD[level]](
      { sdk: error === undefined ? rest : { ...rest, error: describeError(error) } },
      message,
    );
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * An activity that failed the way activities are expected to (an app answered 503, a timeout:
 * an ApplicationFailure with a type) is one line with its type and message; a stack trace is
 * kept only for what nobody expected (a TypeError in our code).
 */
export function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const failure = error as Error & { type?: unknown; nonRetryable?: unknown; cause?: unknown };
  if (error.name === 'ApplicationFailure' && typeof failure.type === 'string') {
    return { type: failure.type, message: error.message, nonRetryable: failure.nonRetryable === true };
  }
  return { type: error.name, message: error.message, stack: error.stack };
}

export function installSdkRuntime(logger: Logger, level = process.env.LOG_LEVEL): void {
  const sdkLevel = LEVELS[level ?? ''] === 'DEBUG' || LEVELS[level ?? ''] === 'TRACE' ? LEVELS[level!]! : 'WARN';
  try {
    Runtime.install({
      logger: new PinoSdkLogger(logger.child({ module: 'temporal-sdk' }), sdkLevel),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: sdkLevel }), forward: {} } },
    });
  } catch {
    // Already installed (a test or another command in this process).
  }
}

/**
 * Shuts the installed runtime down when nothing uses it any more. The runtime keeps the process
 * alive, so a command that fails before (or after) its connections would otherwise hang.
 */
export async function releaseIdleSdkRuntime(): Promise<void> {
  const runtime = Runtime._instance as unknown as { isIdle?(): boolean; shutdown(): Promise<void> } | undefined;
  if (runtime?.isIdle?.()) await runtime.shutdown();
}
