/** Reconciliation: what the apps really hold against what this product says. See docs/reconciliation.md. */
export {
  reconcileApp,
  isLeaver,
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  type KnownPerson,
  type AppScan,
  type Repair,
} from './compare';
export {
  reconcile,
  exitCodeOf,
  type ReconcileReport,
  type AppReport,
  type ReportedFinding,
  type PersonRecord,
  type EnsureAnswer,
} from './reconcile';
export { renderReconcileTable } from './render';
export { ensureThroughLifecycle } from './ensure-port';
