import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/event-store/open-event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { EsdbEventStore } from '../../src/event-store/esdb/esdb-event-store';

describe('openEventStore', () => {
  it('opens the embedded store under the data directory and the ESDB store from its connection string', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-open-'));
    const embedded = openEventStore({ kind: 'embedded', dataDir: join(dir, 'nested') });
    expect(embedded).toBeInstanceOf(SqliteEventStore);
    await embedded.close();
    rmSync(dir, { recursive: true, force: true });
    const esdb = openEventStore({ kind: 'esdb', connectionString: 'esdb://127.0.0.1:2113?tls=false' });
    expect(esdb).toBeInstanceOf(EsdbEventStore);
    await esdb.close();
  });

  it('refuses EVENTSTORE=esdb without a connection string', () => {
    expect(() => openEventStore({ kind: 'esdb', connectionString: undefined })).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE', transient: false }));
  });
});
