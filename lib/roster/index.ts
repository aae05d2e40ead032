/** The initial load: read a roster, correlate it with the apps' accounts, adopt them. See docs/reconciliation.md. */
export {
  correlateApp,
  canSetExternalId,
  expectedUserName,
  CONFLICT_KINDS,
  type AppCorrelation,
  type Conflict,
  type ConflictKind,
  type Match,
  type MatchedBy,
  type Adoption,
} from './correlate';
export {
  parseRoster,
  parseCsv,
  rosterFormatOf,
  RosterFileError,
  type ParsedRoster,
  type RowError,
  type RosterFormat,
} from './parse';
export {
  importRoster,
  importExitCode,
  importEventId,
  type ImportReport,
  type AppImportReport,
  type AdoptionResult,
} from './import';
export { renderImportTable } from './render';
export { missingFromRoster, inferredTermination, rosterEvent } from './missing';
