/** The audit trail: store, chain verification, leaver timelines. See docs/audit.md. */
export { AuditStore, type AppendInput, type AuditRecord, type AuditKind, type AccountEntry, type VerifyResult } from './store';
export { canonicalJson, recordHash, verifyChain, GENESIS, type ChainProblem } from './chain';
export type { OpenOptions } from './db';
export { buildLeaverTimeline, type LeaverTimeline, type Termination, type AppRevocation, type TimelineOptions } from './timeline';
export { renderCsv, renderHtml, renderTable, csvCell, escapeHtml, CSV_HEADER } from './render';
