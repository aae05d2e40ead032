/**
 * A zod schema for the subset of the Compose Specification (compose-spec.io) that
 * docker-compose.yml uses. Strict objects: a misspelt key (`healtcheck`) fails here instead
 * of being silently ignored by `docker compose`.
 */
import { z } from 'zod';

const Duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'a Compose duration such as 5s or 1m');
const StringList = z.array(z.string());

export const HealthcheckSchema = z.strictObject({
  test: z.union([z.tuple([z.literal('NONE')]), z.tuple([z.enum(['CMD', 'CMD-SHELL'])], z.string())]),
  interval: Duration.optional(),
  timeout: Duration.optional(),
  retries: z.number().int().positive().optional(),
  start_period: Duration.optional(),
});

const DependsOn = z.record(
  z.string(),
  z.strictObject({
    condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']),
    restart: z.boolean().optional(),
  }),
);

export const ServiceSchema = z.strictObject({
  image: z.string(),
  build: z.strictObject({ context: z.string(), dockerfile: z.string().optional() }).optional(),
  init: z.boolean().optional(),
  restart: z
    .enum(['no', 'always', 'on-failure', 'unless-stopped'])
    .or(z.string().regex(/^on-failure:\d+$/))
    .optional(),
  env_file: z.array(z.strictObject({ path: z.string(), required: z.boolean().optional() })).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  command: z.union([z.string(), StringList]).optional(),
  entrypoint: z.union([z.string(), StringList]).optional(),
  // The bind address may be an interpolation with a default: "${JML_PROXY_BIND:-127.0.0.1}:443:443".
  ports: z
    .array(
      z
        .string()
        .regex(
          /^((\d{1,3}(\.\d{1,3}){3}|\$\{[A-Z_]+:-\d{1,3}(\.\d{1,3}){3}\}):)?\d+:\d+$/,
          'use "[ip:]host:container"',
        ),
    )
    .optional(),
  volumes: StringList.optional(),
  depends_on: DependsOn.optional(),
  healthcheck: HealthcheckSchema.optional(),
  networks: StringList.optional(),
  network_mode: z.string().optional(),
  stop_grace_period: Duration.optional(),
});

export const ComposeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  services: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), ServiceSchema),
  networks: z.record(z.string(), z.strictObject({ driver: z.string().optional() })).optional(),
  volumes: z.record(z.string(), z.null().or(z.strictObject({ driver: z.string().optional() }))).optional(),
});

export type Compose = z.infer<typeof ComposeSchema>;
export type Service = z.infer<typeof ServiceSchema>;
