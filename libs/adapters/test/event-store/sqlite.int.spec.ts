import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { eventStoreContract } from './contract';

const dirs: string[] = [];

eventStoreContract('embedded SQLite', {
  create: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-es-'));
    dirs.push(dir);
    return SqliteEventStore.open({ dataDir: dir });
  },
  dispose: async (store) => {
    await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  },
});
