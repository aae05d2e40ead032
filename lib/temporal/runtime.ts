/**
 * The SDK's process-wide runtime for long-running commands: SDK and core logs at WARN by
 * default (LOG_LEVEL=debug shows them all), so worker chatter does not drown our own logs.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogLevel } from '@temporalio/worker';

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };

export function installSdkRuntime(level = process.env.LOG_LEVEL): void {
  const sdkLevel = LEVELS[level ?? ''] === 'DEBUG' || LEVELS[level ?? ''] === 'TRACE' ? LEVELS[level!]! : 'WARN';
  try {
    Runtime.install({ logger: new DefaultLogger(sdkLevel), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: sdkLevel }), forward: {} } } });
  } catch {
    // Already installed (a test or another command in this process).
  }
}
