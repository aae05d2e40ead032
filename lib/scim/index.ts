/** The SCIM 2.0 client (RFC 7643/7644) the activities use. See docs/scim-client.md. */
export { ScimClients, type ScimClientsOptions } from './registry';
export { ScimClient } from './client';
export type { ScimGroup, MembershipChange } from './groups';
export type { RemovalProof, ResolvedGroup } from './group-identity';
export { KeyedMutex } from './keyed-mutex';
export type { BulkOperation, BulkResult } from './bulk';
export type { ListResponse } from './search';
export { ScimError, parseErrorBody, parseRetryAfter, classifyStatus, type ScimErrorInfo } from './errors';
export { formatEq, type EqFilter } from './filter';
export { TokenBucket, Semaphore } from './limiter';
export type { RequestRecorder, ScimCallOptions, ScimRequestInfo } from './transport';
export { QUICK_RETRIES, QUICK_RETRY_MAX_WAIT_MS, quickRetryDelayMs } from './transport';
export { scanAll, SCAN_MAX_PAGES, type ScanResult } from './scan';
