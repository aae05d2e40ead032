/** The audit trail: store, chain verification, checkpoints, leaver timelines. See docs/audit.md. */
export {
  AuditStore,
  type AppendInput,
  type AuditRecord,
  type AuditKind,
  type AccountEntry,
  type VerifyResult,
  type OpenOptions,
  type GroupCommitOptions,
  type WriteOptions,
} from './store';
export {
  canonicalJson,
  recordHash,
  keyedRecordHash,
  verifyChain,
  GENESIS,
  CHAIN_VERSION,
  type ChainProblem,
} from './chain';
export { checkpointLine, readCheckpoints, type Checkpoint } from './checkpoint';
export {
  AuditKeyError,
  auditKeyFromEnv,
  auditKeyFromFile,
  auditKeyFromString,
  ensureLocalAuditKey,
  type AuditKey,
} from './key';
export { DirectoryLockedError } from './dir-lock';
export type { PersonEntry, PersonRow, PeopleQuery } from './people';
export { SchemaVersionError, LATEST_VERSION } from './migrations';
export {
  buildLeaverTimeline,
  type LeaverTimeline,
  type Termination,
  type AppRevocation,
  type TimelineOptions,
} from './timeline';
export { renderCsv, renderHtml, renderTable, csvCell, escapeHtml, CSV_HEADER } from './render';
export {
  lifecycleCsvRows,
  renderLifecycleCsv,
  EXPORT_KINDS,
  LIFECYCLE_CSV_HEADER,
  type ExportLifecycle,
} from './lifecycle-export';
