import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/adapters';
import { AuditLog, nodeCryptoSigner, signAuditCheckpoint } from '@keyledger/audit';
import { EventStore, breakerStream } from '@keyledger/kms-domain';

let n = 0;
const context = (occurredAt: string) => ({ eventId: `cli-${++n}`, occurredAt, actor: 'service:test', correlationId: 'c', causationId: null });

async function breakerEvents(store: EventStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const at = new Date(Date.UTC(2025, 2, 1, 10, i)).toISOString();
    const opened = i % 2 === 0;
    const data = opened
      ? { name: 'kms-signing-key', instance: 'api-1', from: 'closed', failures: 5, calls: 10, failureRatio: 0.5, openedAt: at }
      : { name: 'kms-signing-key', instance: 'api-1', from: 'open', consecutiveSuccesses: 3, closedAt: at };
    await store.append(breakerStream('kms-signing-key'), [{ type: opened ? 'BreakerOpened' : 'BreakerClosed', schemaVersion: 1, data, metadata: context(at) }]);
  }
}

/** A small SQLite store with a checkpoint, and the audit public key as a PEM file. Returns the paths. */
export async function writeStore(dir: string, options: { forgeBreakGlass?: boolean } = {}): Promise<{ db: string; pem: string; auditKey: KeyObject }> {
  const store = SqliteEventStore.open({ dataDir: dir, fileName: 'events.sqlite', synchronous: 'NORMAL' });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  await breakerEvents(store, 6);
  await signAuditCheckpoint(new AuditLog(store), store, { origin: 'keyledger.test/audit', signer: nodeCryptoSigner('keyledger.test/audit', privateKey), context: context('2025-03-01T11:00:00.000Z') });
  if (options.forgeBreakGlass) {
    await store.append('breakglass-ghost', [{
      type: 'BreakGlassSignatureIssued',
      schemaVersion: 1,
      data: { sessionId: 'ghost', actor: 'service:signing-breakglass', requester: 'user:rita', tenantId: 'acme', kid: 'bg-ghost', digest: 'a'.repeat(64), justification: 'x', sequence: 1, signedAt: '2025-03-01T11:30:00.000Z' },
      metadata: context('2025-03-01T11:30:00.000Z'),
    }]);
  }
  await store.close();
  const pem = join(dir, 'audit.pem');
  writeFileSync(pem, publicKey.export({ type: 'spki', format: 'pem' }));
  return { db: join(dir, 'events.sqlite'), pem, auditKey: publicKey };
}
