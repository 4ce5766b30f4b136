import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, SqliteReadModels } from '@keyledger/adapters';
import { signingFreezeStream } from '@keyledger/kms-domain';
import { cli } from './run';

jest.setTimeout(60_000);

const at = '2026-01-01T00:00:00.000Z';
const context = () => ({ eventId: randomUUID(), occurredAt: at, actor: 'user:ops', correlationId: 'views-rebuild', causationId: null });

describe('keyledger views rebuild', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-views-cli-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('replays the store into a fresh read-model file from zero, drawing progress on a terminal', async () => {
    const store = SqliteEventStore.open({ dataDir });
    for (let i = 0; i < 1200; i++) {
      const scope = { kind: 'tenant', tenantId: `t${i % 7}` } as const;
      const frozen = i >= 1193;
      const data = frozen ? { scope, reason: 'drill', frozenBy: 'user:ops', frozenAt: at } : { scope, resumedBy: 'user:ops', resumedAt: at };
      await store.append(signingFreezeStream(scope), [{ type: frozen ? 'SigningFrozen' : 'SigningResumed', schemaVersion: 1, data, metadata: context() }]);
    }
    await store.close();
    // A stale row the rebuild must discard.
    const stale = new SqliteReadModels(join(dataDir, 'keyledger-views.sqlite'));
    const gone = { kind: 'tenant', tenantId: 'gone' } as const;
    stale.apply([{ event: { type: 'SigningFrozen', schemaVersion: 1, data: { scope: gone, reason: 'stale', frozenBy: 'user:ops', frozenAt: at } }, streamName: signingFreezeStream(gone), position: 1 }]);
    stale.close();

    const run = await cli(['views', 'rebuild', '--data-dir', dataDir, '--json'], {}, true);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ file: join(dataDir, 'keyledger-views.sqlite'), events: 1200, keys: 0 });
    expect(run.err).toContain('views rebuild [');
    expect(run.err).toContain('1200/1200');

    const models = new SqliteReadModels(join(dataDir, 'keyledger-views.sqlite'));
    try {
      expect(models.position()).toBe(1200);
      expect(models.freeze.get('tenant:gone')).toBeUndefined();
      for (let t = 0; t < 7; t++) expect(models.freeze.get(`tenant:t${t}`)).toMatchObject({ status: 'Frozen', reason: 'drill' });
    } finally {
      models.close();
    }
  });

  it('refuses an unknown action or flag with exit 2', async () => {
    expect((await cli(['views', 'compact'], {})).code).toBe(2);
    expect((await cli(['views', 'rebuild', '--colour', 'red'], {})).code).toBe(2);
  });
});
