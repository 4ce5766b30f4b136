import type { EventStore } from '@keyledger/kms-domain';
import { AuditRecord, recordOfEvent } from '../verify/audit-record';
import type { AuditSource } from './audit-source';

/** Any event store through its port (EventStoreDB in production): bodies are rebuilt canonically. */
export function storeAuditSource(store: EventStore, description: string, options: { pageSize?: number; closeStore?: boolean } = {}): AuditSource {
  const pageSize = options.pageSize ?? 1000;
  return {
    description,
    total: null,
    records: () => storeRecords(store, pageSize),
    close: async () => {
      if (options.closeStore) await store.close();
    },
  };
}

async function* storeRecords(store: EventStore, pageSize: number): AsyncIterable<AuditRecord> {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    for (const event of page) yield recordOfEvent(event);
    if (page.length === 0) return;
    after = page[page.length - 1].position;
  }
}
