import { StoreCorruptError, StoreUnavailableError, isEventStoreError } from '@keyledger/kms-domain';

const TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL']);
const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

/** Translates a better-sqlite3 failure into the port's typed errors; typed errors pass through. */
export function mapSqliteError(error: unknown): Error {
  if (isEventStoreError(error)) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const base = code.split('_').slice(0, 2).join('_');
  if (CORRUPT.has(base)) return new StoreCorruptError(-1, `database file is damaged (${code})`, { cause: error });
  if (code) return new StoreUnavailableError(`sqlite ${code}`, TRANSIENT.has(base), { cause: error });
  return error instanceof Error ? error : new StoreUnavailableError('unexpected failure', false, { cause: error });
}
