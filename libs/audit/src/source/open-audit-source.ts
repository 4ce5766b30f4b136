import { EsdbEventStore } from '@keyledger/adapters';
import { AuditFormatError } from '../audit-errors';
import { apiAuditSource } from './api-source';
import type { AuditSource } from './audit-source';
import { jsonlAuditSource } from './jsonl';
import { openSqliteAuditSource } from './sqlite-source';
import { storeAuditSource } from './store-source';

/** What a source may need besides its name: the bearer token for `api:`. */
export interface OpenSourceOptions {
  readonly token?: string;
}

/**
 * Opens the source named by a `--from` argument: `sqlite:<file>` (the embedded store's file),
 * `esdb:<connection string>` (EventStoreDB), `api:<http(s)://base-url>` (the running API, with
 * `options.token`), or a path to a JSONL export.
 */
export function openAuditSource(from: string, options: OpenSourceOptions = {}): AuditSource {
  if (typeof from !== 'string' || from.length === 0) throw new AuditFormatError('--from is required');
  if (from.startsWith('sqlite:')) return openSqliteAuditSource(from.slice('sqlite:'.length));
  if (from.startsWith('esdb:')) {
    const connectionString = from.slice('esdb:'.length);
    if (!/^esdb(\+discover)?:\/\//.test(connectionString)) throw new AuditFormatError('esdb: takes an esdb:// connection string');
    return storeAuditSource(new EsdbEventStore({ connectionString }), 'EventStoreDB', { closeStore: true });
  }
  if (from.startsWith('api:')) {
    if (options.token === undefined || options.token.trim() === '') throw new AuditFormatError('api: sources need a bearer token (KEYLEDGER_TOKEN or --token-file)');
    return apiAuditSource(from.slice('api:'.length), { token: options.token });
  }
  if (/^https?:\/\//.test(from)) throw new AuditFormatError('name the API as api:<url> (api:http://... or api:https://...)');
  if (/^[a-z]+:\/\//.test(from)) throw new AuditFormatError(`unsupported source ${from.split(':')[0]} (use sqlite:, esdb:, api: or a JSONL file)`);
  return jsonlAuditSource(from);
}
