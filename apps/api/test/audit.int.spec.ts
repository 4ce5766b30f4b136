import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_EVENTS_FILE } from '@keyledger/adapters';
import { eventLeafHash, noteVerifierKey, verifyCheckpointNote, verifyConsistency, verifyInclusion, type AuditedEventView, type Checkpoint, type NoteVerifierKey } from '@keyledger/audit';
import { AUDIT_SERVICE } from '../src/audit/audit.controller';
import type { AuditService } from '../src/audit/audit.service';
import { startHarness, type Harness } from './support/api-harness';

const ROOT = resolve(__dirname, '../../..');
const TOK = {
  admin: 'tok-audit-admin-0123456789',
  auditor: 'tok-audit-auditor-012345678',
  acmeAuditor: 'tok-audit-acme-auditor-0123',
  keyAdmin: 'tok-audit-keyadmin-0123456',
  client: 'tok-audit-client-0123456789',
} as const;

let h: Harness;
let dir: string;
let pinned: NoteVerifierKey;
let pemFile: string;

/** Signs a checkpoint with the same use case the scheduler job runs, and returns it as served and verified. */
async function checkpoint(): Promise<{ note: string; verified: Checkpoint }> {
  const result = await h.app.get<symbol, AuditService>(AUDIT_SERVICE).signCheckpoint();
  expect(result.status).toBe('signed');
  const latest = await h.call('GET', '/v1/audit/checkpoints/latest', TOK.client);
  expect(latest.status).toBe(200);
  const verdict = verifyCheckpointNote(latest.body.note, pinned);
  if (!verdict.ok) throw new Error(`checkpoint does not verify: ${verdict.reason}`);
  expect(latest.body).toMatchObject({ treeSize: verdict.checkpoint.treeSize, rootHash: verdict.checkpoint.rootHash.toString('base64') });
  return { note: latest.body.note, verified: verdict.checkpoint };
}

function auditCli(...args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'tools/audit/bin/keyledger-audit.cjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-audit-api-'));
  const tokens = join(dir, 'tokens.json');
  writeFileSync(
    tokens,
    JSON.stringify([
      { token: TOK.admin, subject: 'ops', roles: ['admin'], tenants: ['*'] },
      { token: TOK.auditor, subject: 'auditor', roles: ['auditor'], tenants: ['*'] },
      { token: TOK.acmeAuditor, subject: 'acme-auditor', roles: ['auditor'], tenants: ['acme'] },
      { token: TOK.keyAdmin, subject: 'acme-admin', roles: ['key-admin'], tenants: ['acme'] },
      { token: TOK.client, subject: 'acme-app', roles: ['client'], tenants: ['acme'] },
    ]),
  );
  h = await startHarness({ AUTH_TOKENS_FILE: tokens });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit routes', () => {
  it('serves no checkpoint before the first one, and one stable audit key to pin', async () => {
    expect(await h.call('GET', '/v1/audit/checkpoints/latest', TOK.client)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const key = await h.call('GET', '/v1/audit/key', TOK.client);
    expect(key).toMatchObject({ status: 200, body: { algorithm: 'ECDSA_P256_SHA256', keyName: 'keyledger/audit', origin: 'keyledger/audit' } });
    expect(key.body).not.toHaveProperty('providerKeyId');
    expect((await h.call('GET', '/v1/audit/key', TOK.admin)).body).toEqual(key.body);
    pinned = noteVerifierKey(key.body.publicKeyPem);
    pemFile = join(dir, 'audit-public.pem');
    writeFileSync(pemFile, key.body.publicKeyPem);
  });

  it('proves a real event into a signed checkpoint, and two checkpoints consistent', async () => {
    const created = await h.call('POST', '/v1/keys', TOK.keyAdmin, { tenantId: 'acme', name: 'payments', purpose: 'sign' });
    expect(created.status).toBe(201);
    const first = await checkpoint();

    const page = await h.call('GET', '/v1/audit/events?fromPosition=1&limit=1000', TOK.auditor);
    expect(page).toMatchObject({ status: 200, body: { nextPosition: null } });
    // The leaves in tree order (events appended after the checkpoint, such as the signer registry
    // following key creation, are listed too), and the checkpoint events with leafIndex null.
    const all = page.body.events as AuditedEventView[];
    const events = all.filter((e): e is AuditedEventView & { leafIndex: number } => e.leafIndex !== null);
    expect(events.map((e) => e.leafIndex)).toEqual(events.map((_e, i) => i));
    expect(events.length).toBeGreaterThanOrEqual(first.verified.treeSize);
    const checkpoints = all.filter((e) => e.leafIndex === null);
    expect(checkpoints.map((e) => [e.streamName, e.type])).toEqual([['audit-checkpoints', 'AuditCheckpointSigned']]);
    expect(checkpoints[0].data).toMatchObject({ treeSize: first.verified.treeSize, note: first.note });
    expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((a, b) => a - b));
    expect(all.some((e) => e.streamName.startsWith('keymaterial-'))).toBe(false);
    const keyCreated = events.find((e) => e.type === 'KeyCreated');
    if (!keyCreated) throw new Error('KeyCreated is not among the audited events');

    const proof = await h.call('GET', `/v1/audit/proofs/inclusion?eventId=${keyCreated.metadata.eventId}&treeSize=${first.verified.treeSize}`, TOK.auditor);
    expect(proof).toMatchObject({ status: 200, body: { leafIndex: keyCreated.leafIndex, position: keyCreated.position } });
    const path = (proof.body.auditPath as string[]).map((p) => Buffer.from(p, 'base64'));
    const leaf = eventLeafHash(keyCreated.metadata.hash);
    expect(verifyInclusion(leaf, keyCreated.leafIndex, first.verified.treeSize, path, first.verified.rootHash)).toBe(true);
    expect(verifyInclusion(leaf, keyCreated.leafIndex, first.verified.treeSize, path, Buffer.alloc(32))).toBe(false);

    const keyId = created.body.keyId as string;
    expect((await h.call('POST', `/v1/keys/${keyId}/rotate`, TOK.keyAdmin)).status).toBe(200);
    const second = await checkpoint();
    expect(second.verified.treeSize).toBeGreaterThan(first.verified.treeSize);
    const consistency = await h.call('GET', `/v1/audit/proofs/consistency?from=${first.verified.treeSize}&to=${second.verified.treeSize}`, TOK.admin);
    expect(consistency.status).toBe(200);
    const steps = (consistency.body.proof as string[]).map((p) => Buffer.from(p, 'base64'));
    expect(verifyConsistency(first.verified.treeSize, second.verified.treeSize, steps, first.verified.rootHash, second.verified.rootHash)).toBe(true);
    expect(verifyConsistency(first.verified.treeSize, second.verified.treeSize, steps, Buffer.alloc(32, 7), second.verified.rootHash)).toBe(false);
  });

  it('pages every exported event once, up to the newest checkpoint at the head, and documents the contract', async () => {
    await checkpoint();
    const whole = await h.call('GET', '/v1/audit/events?limit=1000', TOK.auditor);
    const all = whole.body.events as AuditedEventView[];
    expect(all[all.length - 1]).toMatchObject({ streamName: 'audit-checkpoints', leafIndex: null });
    const paged: AuditedEventView[] = [];
    let from: number | null = 1;
    while (from !== null) {
      const page = await h.call('GET', `/v1/audit/events?fromPosition=${from}&limit=2`, TOK.admin);
      expect(page.status).toBe(200);
      expect(page.body.events.length).toBeLessThanOrEqual(2);
      paged.push(...(page.body.events as AuditedEventView[]));
      from = page.body.nextPosition as number | null;
    }
    expect(paged).toEqual(all);
    const openapi = await h.call('GET', '/docs-json', null);
    const route = openapi.body.paths['/v1/audit/events'].get;
    expect(route.responses['200'].description).toContain('leafIndex null marks a checkpoint event');
    expect(route.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['fromPosition', 'limit']);
  });

  it('keeps proofs and events to auditors and admins with a token for all tenants', async () => {
    for (const path of ['/v1/audit/events', '/v1/audit/proofs/consistency?from=1', '/v1/audit/proofs/inclusion?eventId=x']) {
      expect(await h.call('GET', path, TOK.client)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
      expect((await h.call('GET', path, TOK.acmeAuditor)).status).toBe(403);
      expect((await h.call('GET', path, null)).status).toBe(401);
    }
    expect((await h.call('GET', '/v1/audit/key', null)).status).toBe(401);
  });

  it('answers bad queries with 400, a tree beyond the log with AUDIT_PROOF_RANGE and an unknown event with 404', async () => {
    const bad = [
      '/v1/audit/events?limit=1001',
      '/v1/audit/events?fromPosition=0',
      '/v1/audit/events?limit=1e3',
      '/v1/audit/events?page=2',
      '/v1/audit/proofs/inclusion',
      '/v1/audit/proofs/inclusion?eventId=x&treeSize=-1',
      '/v1/audit/proofs/consistency?from=abc',
      '/v1/audit/proofs/consistency?from=1&from=2',
      '/v1/audit/checkpoints/latest?x=1',
    ];
    for (const path of bad) expect({ path, ...(await h.call('GET', path, TOK.auditor)) }).toMatchObject({ path, status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    expect(await h.call('GET', '/v1/audit/proofs/consistency?from=1&to=100000', TOK.auditor)).toMatchObject({ status: 400, body: { error: { code: 'AUDIT_PROOF_RANGE' } } });
    expect(await h.call('GET', '/v1/audit/proofs/consistency?from=3&to=2', TOK.auditor)).toMatchObject({ status: 400, body: { error: { code: 'AUDIT_PROOF_RANGE' } } });
    expect(await h.call('GET', '/v1/audit/proofs/inclusion?eventId=no-such-event', TOK.auditor)).toMatchObject({ status: 404, body: { error: { code: 'AUDIT_EVENT_NOT_FOUND' } } });
  });

  it('lets the audit CLI verify the store against the served key, and catches a tampered copy', async () => {
    const live = join(h.dataDir, DEFAULT_EVENTS_FILE);
    const clean = auditCli('verify', '--from', `sqlite:${live}`, '--audit-key', pemFile);
    expect(clean.stdout).toContain('CLEAN');
    expect(clean.status).toBe(0);

    const copy = join(dir, 'tampered.sqlite');
    const source = new Database(live, { readonly: true });
    await source.backup(copy);
    source.close();
    const db = new Database(copy);
    const row = db.prepare("SELECT position, body FROM events WHERE body LIKE '%\"KeyCreated\"%' LIMIT 1").get() as { position: number; body: string };
    const edited = row.body.replace('"rotationPeriodDays":90', '"rotationPeriodDays":9');
    expect(edited).not.toBe(row.body);
    db.prepare('UPDATE events SET body = ? WHERE position = ?').run(edited, row.position);
    db.close();
    const tampered = auditCli('verify', '--from', `sqlite:${copy}`, '--audit-key', pemFile);
    expect(tampered.stdout).toMatch(new RegExp(`${row.position}\\s+key-acme:\\S+\\s+chain`));
    expect(tampered.status).toBe(1);
  }, 120_000);
});
