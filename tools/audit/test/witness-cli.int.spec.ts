import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InMemoryEventStore, LocalKmsProvider } from '@keyledger/adapters';
import { AuditLog, ProviderAuditKey, cosignLatestCheckpoint, exportJsonl, parseWitnessKey, storeAuditSource, witnessKeyOf } from '@keyledger/audit';
import type { EventContext } from '@keyledger/kms-domain';
import { startTestWitness } from '@keyledger/testing';

const ROOT = resolve(__dirname, '../../..');
const MAIN = join(ROOT, 'tools/audit/src/main.ts');
const context = (): EventContext => ({ eventId: randomUUID(), occurredAt: new Date().toISOString(), actor: 'service:test', correlationId: randomUUID(), causationId: null });

function audit(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), MAIN, ...args], { cwd: ROOT, env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-witness-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit verify --witness (spawned)', () => {
  it('passes with the trusted witness cosignature, fails with findings for another witness key, and refuses a malformed key', async () => {
    const store = new InMemoryEventStore();
    const provider = await LocalKmsProvider.create({ masterKeyBase64: randomBytes(32).toString('base64'), warn: () => undefined });
    const key = new ProviderAuditKey(store, provider, context);
    const note = await key.noteRecord();
    const witness = await startTestWitness({ logs: [{ origin: note.keyName, vkey: note.verifierKey }], stateFile: join(dir, 'witness.json') });
    try {
      const log = new AuditLog(store);
      expect((await key.signCheckpoint(log, context())).status).toBe('signed');
      const [result] = await cosignLatestCheckpoint(log, store, [{ url: witness.url, key: parseWitnessKey(witness.vkey) }], context);
      expect(result.status).toBe('cosigned');
    } finally {
      await witness.close();
    }
    const file = join(dir, 'events.jsonl');
    await exportJsonl(storeAuditSource(store, 'memory'), file);
    const keyFile = join(dir, 'note-key.txt');
    writeFileSync(keyFile, note.verifierKey);

    const clean = audit('verify', '--from', file, '--audit-key', keyFile, '--witness', witness.vkey);
    expect(clean.stdout).toContain('CLEAN');
    expect(clean.status).toBe(0);
    const stranger = witnessKeyOf('witness.test/other', generateKeyPairSync('ed25519').privateKey).vkey;
    const refused = audit('verify', '--from', file, '--audit-key', keyFile, '--witness', witness.vkey, '--witness', stranger);
    expect(refused.stdout).toContain('checkpoint-witness');
    expect(refused.status).toBe(1);
    expect(audit('verify', '--from', file, '--audit-key', keyFile, '--witness', witness.vkey, '--witness', stranger, '--witness-quorum', '1').status).toBe(0);
    const malformed = audit('verify', '--from', file, '--audit-key', keyFile, '--witness', 'not-a-key');
    expect(malformed.status).toBe(2);
    expect(malformed.stderr + malformed.stdout).toContain('--witness takes a witness verifier key');
  }, 180_000);
});
