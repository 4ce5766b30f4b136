import { generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  FixedClock,
  InMemoryReadModels,
  isConcurrencyConflict,
  signerRegistryStream,
  type AppendOptions,
  type AppendResult,
  type NewEvent,
  type ReadStreamOptions,
  type RecordedEvent,
} from '@keyledger/kms-domain';
import { createKeyOperations, type KeyOperations, type SignerInput } from '../src';
import { MemoryProvider } from './support/memory-provider';
import { MemoryStore } from './support/memory-store';

const REGISTRY = signerRegistryStream();
const actor = { subject: 'user:test', correlationId: 'req-1' };
const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const KEY_A = pem();
const KEY_B = pem();
const signer = (kid: string, publicKey = KEY_A): SignerInput => ({
  kid,
  publicKey,
  algorithm: 'ECDSA_P256_SHA256',
  owner: { kind: 'key-version', tenantId: 'acme', keyId: kid, version: 1 },
  validFrom: new Date('2025-06-01T00:00:00Z'),
});

/** The lib's memory store, reading from a revision like the real adapters, and counting what the registry costs. */
class CountingStore extends MemoryStore {
  registryEventsRead = 0;
  conflicts = 0;

  override async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    const from = options.fromRevision ?? 0;
    const page = (await super.readStream(streamName)).slice(from, from + (options.maxCount ?? 10_000));
    if (streamName === REGISTRY) this.registryEventsRead += page.length;
    return page;
  }

  override async append(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    try {
      return await super.append(streamName, events, options);
    } catch (error) {
      if (isConcurrencyConflict(error)) this.conflicts++;
      throw error;
    }
  }

  registeredKids(): string[] {
    return this.log.filter((e) => e.streamName === REGISTRY && e.type === 'SignerRegistered').map((e) => (e.data as { kid: string }).kid);
  }
}

/** One "process": its own key operations (views, signer registry writer) on the shared store. */
async function startProcess(store: CountingStore): Promise<KeyOperations> {
  const ops = createKeyOperations({ readModels: new InMemoryReadModels(), store, provider: new MemoryProvider(), clock: new FixedClock(new Date('2025-06-01T00:00:00Z')), ids: { next: () => randomUUID() } });
  await ops.start();
  return ops;
}

describe('signer registry writes across processes', () => {
  let store: CountingStore;
  let a: KeyOperations;
  let b: KeyOperations;
  beforeEach(async () => {
    store = new CountingStore();
    a = await startProcess(store);
    b = await startProcess(store);
  });
  afterEach(async () => {
    await a.stop();
    await b.stop();
  });

  it('two processes registering overlapping signers concurrently register each kid exactly once', async () => {
    const kids = Array.from({ length: 60 }, (_, i) => `k${i}.v1`);
    const fromA = kids.slice(0, 40).map((kid) => a.signers.register(actor, signer(kid)));
    const fromB = kids.slice(20).map((kid) => b.signers.register(actor, signer(kid)));
    const [doneA, doneB] = await Promise.all([Promise.all(fromA), Promise.all(fromB)]);
    const registered = store.registeredKids();
    expect([...registered].sort()).toEqual([...kids].sort());
    expect(new Set(registered).size).toBe(registered.length);
    // Each overlapping kid was newly registered by exactly one of the two.
    for (let i = 20; i < 40; i++) expect(Number(doneA[i]) + Number(doneB[i - 20])).toBe(1);
    expect(store.conflicts).toBeGreaterThan(0);
  });

  it('runs one process’s concurrent registrations one at a time: no conflict with itself', async () => {
    const kids = Array.from({ length: 50 }, (_, i) => `k${i}.v1`);
    expect(await Promise.all(kids.map((kid) => a.signers.register(actor, signer(kid))))).toEqual(kids.map(() => true));
    expect(store.registeredKids()).toEqual(kids);
    expect(store.conflicts).toBe(0);
  });

  it('keeps the semantics across processes: same kid and key is a no-op, another key is SIGNER_KID_REUSED, retire once', async () => {
    expect(await a.signers.register(actor, signer('pay.v1'))).toBe(true);
    expect(await b.signers.register(actor, signer('pay.v1'))).toBe(false);
    await expect(b.signers.register(actor, signer('pay.v1', KEY_B))).rejects.toMatchObject({ code: 'SIGNER_KID_REUSED' });
    expect(await b.signers.retire(actor, 'pay.v1', 'rotated out')).toBe(true);
    expect(await a.signers.retire(actor, 'pay.v1', 'rotated out')).toBe(false);
    expect(await a.signers.register(actor, signer('pay.v1'))).toBe(false);
    await expect(a.signers.register(actor, signer('pay.v1', KEY_B))).rejects.toMatchObject({ code: 'SIGNER_KID_REUSED' });
    expect(await a.signers.retire(actor, 'unknown.v1', 'never registered')).toBe(false);
    expect(store.log.filter((e) => e.streamName === REGISTRY).map((e) => e.type)).toEqual(['SignerRegistered', 'SignerRetired']);
    expect(a.signers.find('pay.v1')?.status).toBe('Retired');
  });

  it('registering N signers reads O(N) registry events in total, not the whole stream per registration', async () => {
    const n = 200;
    for (let i = 0; i < n; i++) await (i % 2 === 0 ? a : b).signers.register(actor, signer(`k${i}.v1`));
    expect(store.registeredKids()).toHaveLength(n);
    // Each process reads only what the other appended since its last write: about n in all (a full re-read was ~n²/2).
    expect(store.registryEventsRead).toBeLessThan(2 * n);
    expect(store.registryEventsRead).toBeGreaterThanOrEqual(n - 1);
  });
});

describe('signer registry writes: catching up on a long stream', () => {
  it('a fresh process reads a registry longer than one page and sees every kid', async () => {
    const store = new CountingStore();
    const at = '2025-06-01T00:00:00.000Z';
    const events: NewEvent[] = Array.from({ length: 2500 }, (_, i) => ({
      type: 'SignerRegistered',
      schemaVersion: 1,
      data: { kid: `old${i}.v1`, publicKey: KEY_A, algorithm: 'ECDSA_P256_SHA256', owner: { kind: 'key-version', tenantId: 'acme', keyId: `old${i}`, version: 1 }, validFrom: at, validUntil: null, registeredAt: at },
      metadata: { eventId: `e${i}`, occurredAt: at, actor: 'user:test', correlationId: 'seed', causationId: null },
    }));
    await store.append(REGISTRY, events, { expectedRevision: 'no-stream' });
    const ops = await startProcess(store);
    await expect(ops.signers.register(actor, signer('old2499.v1', KEY_B))).rejects.toMatchObject({ code: 'SIGNER_KID_REUSED' });
    expect(await ops.signers.register(actor, signer('old0.v1'))).toBe(false);
    expect(await ops.signers.register(actor, signer('new.v1'))).toBe(true);
    expect(store.registryEventsRead).toBe(2500);
    expect(store.log.filter((e) => e.streamName === REGISTRY)).toHaveLength(2501);
    await ops.stop();
  });
});
