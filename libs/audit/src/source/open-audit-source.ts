import { EsdbEventStore } from '@keyledger/adapters';
import { AuditFormatError } from '../audit-errors';
import type { AuditSource } from './audit-source';
import { jsonlAuditSource } from './jsonl';
import { openSqliteAuditSource } from './sqlite-source';
import { storeAuditSource } from './store-source';

/**
 * Opens the source named by a `--from` argument: `sqlite:<file>` (the embedded store's file),
 * `esdb:<connection string>` (EventStoreDB), or a path to a JSONL export.
 */
export function openAuditSource(from: string): AuditSource {
  if (typeof from !== 'string' || from.length === 0) throw new AuditFormatError('--from is required');
  if (from.startsWith('sqlite:')) return openSqliteAuditSource(from.slice('sqlite:'.length));
  if (from.startsWith('esdb:')) {
    const connectionString = from.slice('esdb:'.length);
    if (!/^esdb(\+discover)?:\/\//.test(connectionString)) throw new AuditFormatError('esdb: takes an esdb:// connection string');
    return storeAuditSource(new EsdbEventStore({ connectionString }), 'EventStoreDB', { closeStore: true });
  }
  if (/^[a-z]+:\/\//.test(from)) throw new AuditFormatError(`unsupported source ${from.split(':')[0]} (use sqlite:, esdb: or a JSONL file)`);
  return jsonlAuditSource(from);
}
