/**
 * pino logger factory. Secrets never reach a log line: the redaction paths below cover
 * Authorization headers, tokens, passwords and client secrets wherever they are nested.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors in every log line (wildcards cover one nesting level each). */
export const REDACT_PATHS: string[] = [
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  'req.headers["x-hr-signature"]',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'password',
  '*.password',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
];

export interface CreateLoggerOptions {
  /** @default process.env.LOG_LEVEL ?? 'info' */
  level?: string;
  /** Where JSON lines go; tests pass a stream and parse what was written. @default stdout */
  destination?: DestinationStream;
  /** Static fields on every line, e.g. `{ component: 'worker' }`. */
  base?: Record<string, unknown>;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { ...(options.base ?? {}) },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
