/**
 * Configuration: connectors (`config/connectors/*.yaml`) and policy (`config/policy.yaml`).
 * `loadConfig` does I/O; everything else here is pure.
 */
export type * from './types';
export { loadConfig, checkConfigDir, defaultConfigDir, type LoadOptions, type ConfigCheck } from './load';
export { ConfigError, formatConfigIssue, formatConfigIssues, type ConfigIssue } from './issues';
export { resolveSecret, parseSecretRef, isSecretRef, type SecretSources, type ParsedSecretRef } from './secrets';
export { parseDuration, tryParseDuration } from './duration';
export { alertWebhookUrlProblem } from './webhook-url';
export { CONNECTOR_DEFAULTS, POLICY_DEFAULTS } from './defaults';
