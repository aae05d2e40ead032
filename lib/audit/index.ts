/** The audit trail: store, chain verification, leaver timelines. See docs/audit.md. */
export { AuditStore, type AppendInput, type AuditRecord, type AuditKind, type AccountEntry, type VerifyResult } from './store';
export { canonicalJson, recordHash, verifyChain, GENESIS, type ChainProblem } from './chain';
export type { OpenOptions } from './db';
