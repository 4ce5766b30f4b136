import { execFile, spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_EVENTS_FILE } from '@keyledger/adapters';
import { leafHash, noteVerifierKey, noteVerifierKeyString, verifyCheckpointNote, type AuditedEventView } from '@keyledger/audit';
import { DEBIAN_GOPATH, describeWith, go } from '@keyledger/testing';
import { AUDIT_SERVICE } from '../src/audit/audit.controller';
import type { AuditService } from '../src/audit/audit.service';
import { startHarness, type Harness } from './support/api-harness';

const TOK = {
  auditor: 'tok-tlog-auditor-0123456789',
  acmeAuditor: 'tok-tlog-acme-auditor-012345',
  keyAdmin: 'tok-tlog-keyadmin-01234567',
} as const;
const ROOT = resolve(__dirname, '../../..');
const GO_PROGRAM = resolve(__dirname, 'tlog-go');

function tokensFile(dir: string): string {
  const file = join(dir, 'tokens.json');
  writeFileSync(
    file,
    JSON.stringify([
      { token: TOK.auditor, subject: 'auditor', roles: ['auditor'], tenants: ['*'] },
      { token: TOK.acmeAuditor, subject: 'acme-auditor', roles: ['auditor'], tenants: ['acme'] },
      { token: TOK.keyAdmin, subject: 'acme-admin', roles: ['key-admin'], tenants: ['acme'] },
    ]),
  );
  return file;
}

/** Creates `count` keys, a few at a time: each adds audited events (KeyCreated, the signer registry). */
async function createKeys(h: Harness, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_v, j) => h.call('POST', '/v1/keys', TOK.keyAdmin, { tenantId: 'acme', name: `${prefix}-${i + j}`, purpose: 'sign' }));
    for (const r of await Promise.all(batch)) expect(r.status).toBe(201);
  }
}

async function signCheckpoint(h: Harness): Promise<{ treeSize: number; rootHash: string }> {
  const result = await h.app.get<symbol, AuditService>(AUDIT_SERVICE).signCheckpoint();
  if (result.status !== 'signed') throw new Error(`expected a checkpoint, got ${result.status}`);
  return { treeSize: result.checkpoint.data.treeSize, rootHash: result.checkpoint.data.rootHash };
}

async function raw(h: Harness, path: string, token?: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${h.base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

describe('tlog-tiles routes (TLOG_PUBLIC default true)', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-tlog-'));
    h = await startHarness({ AUTH_TOKENS_FILE: tokensFile(dir) });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 404 for the checkpoint before the first one, without a token', async () => {
    expect(await h.call('GET', '/tlog/checkpoint', null)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('serves the signed checkpoint as text, uncached, with an Ed25519 signature by the key /v1/audit/key names', async () => {
    await createKeys(h, 'cp', 3);
    const signed = await signCheckpoint(h);
    const res = await raw(h, '/tlog/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const note = res.bytes.toString('utf8');
    const key = await h.call('GET', '/v1/audit/key', TOK.keyAdmin);
    expect(key.status).toBe(200);
    const prefix = `keyledger/audit+${key.body.noteKeyId}+`;
    expect(key.body.noteVerifierKey.startsWith(prefix)).toBe(true);
    const encoded = Buffer.from(key.body.noteVerifierKey.slice(prefix.length), 'base64');
    // Type byte 0x01 (Ed25519), then the raw key: the tail of the served SPKI.
    expect(encoded[0]).toBe(1);
    expect(encoded.subarray(1)).toEqual(createPublicKey(key.body.notePublicKeyPem).export({ type: 'spki', format: 'der' }).subarray(12));
    const verdict = verifyCheckpointNote(note, noteVerifierKey(key.body.notePublicKeyPem));
    expect(verdict).toMatchObject({ ok: true, keyName: key.body.origin, checkpoint: { treeSize: signed.treeSize } });
    expect(verifyCheckpointNote(note, noteVerifierKey(key.body.publicKeyPem)).ok).toBe(true);
  });

  it('serves tiles and entry bundles as immutable octets, and 404 for malformed or missing ones without echoing the path', async () => {
    await createKeys(h, 'tiles', 1);
    const { treeSize } = await signCheckpoint(h);
    const width = treeSize % 256;
    const tile = await raw(h, `/tlog/tile/0/000.p/${width}`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('application/octet-stream');
    expect(tile.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(tile.bytes.length).toBe(width * 32);
    const bundle = await raw(h, `/tlog/tile/entries/000.p/${width}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(bundle.bytes.length).toBe(width * 34);
    const first = bundle.bytes.subarray(2, 34);
    expect(leafHash(first)).toEqual(tile.bytes.subarray(0, 32));
    const events = (await h.call('GET', '/v1/audit/events?limit=1000', TOK.auditor)).body.events as AuditedEventView[];
    expect(first.toString('hex')).toBe(events.find((e) => e.leafIndex === 0)?.metadata.hash);

    for (const path of ['/tlog/tile/0/000', '/tlog/tile/0/000.p/255', '/tlog/tile/1/000.p/1', '/tlog/tile/0/001', '/tlog/tile/entries/000']) {
      expect(await h.call('GET', path, null)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
    for (const path of ['/tlog/tile/0/0', '/tlog/tile/00/000', '/tlog/tile/0/000.p/256', '/tlog/tile/8/0/000', '/tlog/tile/0/x000/001', '/tlog/tile/zzz%3Cscript%3E']) {
      const res = await h.call('GET', path, null);
      expect(res).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
      expect(JSON.stringify(res.body)).not.toContain('script');
    }
  });
});

describe('audit verify pinned to the note key', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-tlog-cli-'));
    h = await startHarness({ AUTH_TOKENS_FILE: tokensFile(dir) });
    await createKeys(h, 'cli', 2);
    await signCheckpoint(h);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the served noteVerifierKey as --audit-key, and refuses another one', async () => {
    const key = (await h.call('GET', '/v1/audit/key', TOK.keyAdmin)).body;
    const live = join(h.dataDir, DEFAULT_EVENTS_FILE);
    const verify = (vkey: string) => {
      const file = join(dir, 'note-key.txt');
      writeFileSync(file, `${vkey}\n`);
      return spawnSync(process.execPath, [join(ROOT, 'tools/audit/bin/keyledger-audit.cjs'), 'verify', '--from', `sqlite:${live}`, '--audit-key', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    };
    const clean = verify(key.noteVerifierKey);
    expect(clean.stdout).toContain('CLEAN');
    expect(clean.status).toBe(0);
    const stranger = verify(noteVerifierKeyString('keyledger/audit', generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })));
    expect(stranger.stdout).toContain('checkpoint-signature');
    expect(stranger.status).not.toBe(0);
  }, 120_000);
});

describeWith([go], 'a third-party tlog client (golang.org/x/mod/sumdb/tlog and note) against the live tiles', () => {
  let h: Harness;
  let dir: string;
  let binary: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-tlog-go-'));
    binary = join(dir, 'tlogcheck');
    const env = { ...process.env, GOPATH: DEBIAN_GOPATH, GO111MODULE: 'off', GOPROXY: 'off', GOFLAGS: '', GOCACHE: join(tmpdir(), 'keyledger-go-build-cache') };
    const built = spawnSync('go', ['build', '-o', binary, '.'], { cwd: GO_PROGRAM, env, encoding: 'utf8', timeout: 240_000 });
    if (built.status !== 0) throw new Error(`go build failed: ${built.stderr}`);
    h = await startHarness({ AUTH_TOKENS_FILE: tokensFile(dir) });
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the Go client without blocking this process's event loop, which serves the API it reads. */
  function tlogcheck(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(binary, ['-url', h.base, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        done({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
  }

  it('opens the checkpoint with the Ed25519 verifier key, authenticates the tiles and proves inclusion and consistency', async () => {
    await createKeys(h, 'early', 2);
    const older = await signCheckpoint(h);
    // Past one full level-0 tile (256 leaves), so level-1 tiles and full bundles are read too.
    await createKeys(h, 'bulk', 210);
    const newer = await signCheckpoint(h);
    expect(newer.treeSize).toBeGreaterThan(256);

    const vkey = (await h.call('GET', '/v1/audit/key', TOK.keyAdmin)).body.noteVerifierKey as string;
    const events = (await h.call('GET', '/v1/audit/events?limit=1000', TOK.auditor)).body.events as AuditedEventView[];
    const leaves = events.filter((e): e is AuditedEventView & { leafIndex: number } => e.leafIndex !== null && e.leafIndex < newer.treeSize);
    const picked = [0, 1, 255, 256, older.treeSize - 1, newer.treeSize - 1].map((i) => leaves[i]);
    const leafArgs = picked.flatMap((e) => ['-leaf', `${e.leafIndex}:${e.metadata.hash}`]);

    const ok = await tlogcheck('-vkey', vkey, ...leafArgs, '-old', `${older.treeSize}:${older.rootHash}`);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // One signature verified (Ed25519); the ECDSA line is another key to note.Open, left unverified.
    expect(JSON.parse(ok.stdout)).toMatchObject({ origin: 'keyledger/audit', treeSize: newer.treeSize, root: newer.rootHash, leavesProved: 6, consistentWith: older.treeSize, signatures: 1, unverifiedSignatures: 1 });
  }, 120_000);

  it('fails on a checkpoint signed by another key, on a leaf the log does not hold, and on a forged older root', async () => {
    const key = (await h.call('GET', '/v1/audit/key', TOK.keyAdmin)).body;
    const stranger = noteVerifierKeyString('keyledger/audit', generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }));
    const wrongKey = await tlogcheck('-vkey', stranger);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toContain('note.Open');

    const head = verifyCheckpointNote((await raw(h, '/tlog/checkpoint')).bytes.toString('utf8'), noteVerifierKey(key.notePublicKeyPem));
    if (!head.ok) throw new Error(head.reason);
    const wrongLeaf = await tlogcheck('-vkey', key.noteVerifierKey, '-leaf', `3:${'00'.repeat(32)}`);
    expect(wrongLeaf.status).toBe(1);
    expect(wrongLeaf.stderr).toContain('entry 3 is');

    const forged = await tlogcheck('-vkey', key.noteVerifierKey, '-old', `2:${Buffer.alloc(32, 9).toString('base64')}`);
    expect(forged.status).toBe(1);
    expect(forged.stderr).toContain('CheckTree');
  }, 60_000);
});

describe('tlog-tiles routes with TLOG_PUBLIC=false', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-tlog-private-'));
    h = await startHarness({ AUTH_TOKENS_FILE: tokensFile(dir), TLOG_PUBLIC: 'false' });
    await createKeys(h, 'p', 1);
    await signCheckpoint(h);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs an auditor token for all tenants, and caches tiles privately', async () => {
    expect(await h.call('GET', '/tlog/checkpoint', null)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(await h.call('GET', '/tlog/tile/0/000.p/1', TOK.keyAdmin)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await h.call('GET', '/tlog/checkpoint', TOK.acmeAuditor)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await raw(h, '/tlog/checkpoint', TOK.auditor)).status).toBe(200);
    const tile = await raw(h, '/tlog/tile/0/000.p/1', TOK.auditor);
    expect(tile.status).toBe(200);
    expect(tile.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
  });
});
