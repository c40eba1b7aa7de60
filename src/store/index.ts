/** The store, for the rest of Overt: the interface, the record schemas, the audit trail and how to open it. */
export type {
  AuditListQuery,
  AuditLog,
  CommitResult,
  CountQuery,
  CountRow,
  Query,
  Range,
  Store,
  StoreFailure,
  StoreOutcome,
  Unit,
  Versioned,
  Where,
  Write,
} from './store';
export * from './records';
export { AuditDraft, AuditEvent, Actor, Target, GENESIS, type VerifyResult } from './audit';
export { indexes, type IndexedField, type ColumnType } from './indexes';
export { openStore, storeOptions, sqliteFile, DEFAULT_DATA_DIR, StoreOptions } from './open';
export { StoreUsageError } from './validate';
