import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCheckpointStore } from '../../src/projections/sqlite-checkpoint-store';

describe('SqliteCheckpointStore', () => {
  it('saves, reloads after reopening, overwrites and clears a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-cp-'));
    try {
      const first = new SqliteCheckpointStore(dir);
      expect(await first.load('keys')).toBeNull();
      await first.save('keys', { position: 7, state: '{"a":1}' });
      first.close();
      const second = new SqliteCheckpointStore(dir);
      expect(await second.load('keys')).toEqual({ position: 7, state: '{"a":1}' });
      await second.save('keys', { position: 9, state: '{}' });
      expect(await second.load('keys')).toEqual({ position: 9, state: '{}' });
      await second.clear('keys');
      expect(await second.load('keys')).toBeNull();
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
