import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, SqliteReadModels } from '@keyledger/adapters';
import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

jest.setTimeout(60_000);

describe('status views as persistent read models, through the API', () => {
  let dataDir: string;
  let h: Harness | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-views-'));
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const create = async (api: Harness, tenantId: string, name: string): Promise<string> => {
    const res = await api.call('POST', '/v1/keys', TOKENS.admin, { tenantId, name, purpose: 'sign' });
    expect(res.status).toBe(201);
    return res.body.keyId as string;
  };

  it('pages a tenant’s keys by key id with limit and cursor, and only that tenant’s', async () => {
    h = await startHarness({ KEYLEDGER_DATA_DIR: dataDir });
    const acme = [await create(h, 'acme', 'a'), await create(h, 'acme', 'b'), await create(h, 'acme', 'c')].sort();
    await create(h, 'globex', 'g');
    const first = await h.call('GET', '/v1/keys?tenantId=acme&limit=2', TOKENS.acmeClient);
    expect(first.status).toBe(200);
    expect(first.body.keys.map((k: { keyId: string }) => k.keyId)).toEqual(acme.slice(0, 2));
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await h.call('GET', `/v1/keys?tenantId=acme&limit=2&cursor=${first.body.nextCursor}`, TOKENS.acmeClient);
    expect(second.body).toMatchObject({ nextCursor: null });
    expect(second.body.keys.map((k: { keyId: string }) => k.keyId)).toEqual(acme.slice(2));
    const all = await h.call('GET', '/v1/keys?tenantId=acme', TOKENS.acmeClient);
    expect(all.body.keys).toHaveLength(3);
    expect(all.body.nextCursor).toBeNull();
  });

  it('refuses a bad limit or a cursor it did not hand out with 400, without echoing the cursor', async () => {
    h = await startHarness({ KEYLEDGER_DATA_DIR: dataDir });
    for (const query of ['limit=0', 'limit=1001', 'limit=ten']) {
      const res = await h.call('GET', `/v1/keys?tenantId=acme&${query}`, TOKENS.acmeClient);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('REQUEST_INVALID');
    }
    const forged = Buffer.from(JSON.stringify([42])).toString('base64url');
    const res = await h.call('GET', `/v1/keys?tenantId=acme&cursor=${forged}`, TOKENS.acmeClient);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body)).not.toContain(forged);
  });

  it('keeps its views in keyledger-views.sqlite, committed up to the store head, and serves them after a restart', async () => {
    h = await startHarness({ KEYLEDGER_DATA_DIR: dataDir });
    const keyId = await create(h, 'acme', 'restart');
    expect((await h.call('POST', `/v1/keys/${keyId}/rotate`, TOKENS.admin, {})).status).toBe(200);
    await h.close();
    h = undefined;

    const file = join(dataDir, 'keyledger-views.sqlite');
    expect(existsSync(file)).toBe(true);
    const store = SqliteEventStore.open({ dataDir });
    const models = new SqliteReadModels(file);
    try {
      expect(models.position()).toBe(await store.headPosition());
      expect(models.keys.get('acme', keyId)).toMatchObject({ status: 'Enabled', primaryVersion: 2 });
      expect(models.keys.counts()).toMatchObject({ total: 1, byStatus: { Enabled: 1 } });
    } finally {
      models.close();
      await store.close();
    }

    h = await startHarness({ KEYLEDGER_DATA_DIR: dataDir });
    const status = await h.call('GET', '/api/admin/kms/status', TOKENS.admin);
    expect(status.body.event_store.views_position).toBe(status.body.event_store.head_position);
    expect(status.body.keys).toMatchObject({ total: 1, by_status: { Enabled: 1 } });
    const signed = await h.call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, { message: b64('after restart') });
    expect(signed.status).toBe(200);
    expect(signed.body.keyVersion).toBe(2);
  });
});
