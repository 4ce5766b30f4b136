import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  KEY_EVENT_TYPES,
  SignerKidReusedError,
  hasEventType,
  type ExistingKeyState,
  type KeyledgerEvent,
  type KeySigningAlgorithm,
  type KeyVersion,
  type SignerEntry,
  type SignerOwner,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import type { KeyRetrieval } from '../crypto/key-retrieval';
import { kidOf } from '../crypto/signatures';
import type { KeyViews } from '../views/key-views';
import { SignerRegistryWriter, registryEntry } from './registry-commands';

/** A signer to register: its kid, public key (PEM SPKI), owner and validity window. */
export interface SignerInput {
  readonly kid: string;
  readonly publicKey: string;
  readonly algorithm: KeySigningAlgorithm;
  readonly owner: SignerOwner;
  readonly validFrom: Date;
  readonly validUntil?: Date | null;
}

const FOLLOWED = new Set(['KeyCreated', 'KeyRotated', 'KeyDestroyed', 'KeyVersionsTrimmed']);
const SYSTEM_ACTOR: Actor = { subject: 'service:signer-registry', correlationId: 'signer-registry' };

/**
 * The signer registry use cases: register a signer (idempotent: the same kid and public key twice
 * is one registration; another key under a used kid is SIGNER_KID_REUSED), retire one, and look
 * kids up in the registry view. `follow()` keeps the registry in step with the keys: every signing
 * key version gets a signer when it is created or rotated in, and a destroyed key's signers are
 * retired. The work runs on a background queue in event order; `idle()` waits for it.
 */
export class Signers {
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private readonly parsed = new WeakMap<SignerEntry, KeyObject>();
  /** All registry writes of this instance go through one writer: cached registry, one command at a time. */
  private readonly writer: SignerRegistryWriter;

  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.writer = new SignerRegistryWriter(ports);
  }

  /** A kid's entry in the registry view (retired signers included). */
  find(kid: string): SignerEntry | undefined {
    return this.views.models.signers.get(kid);
  }

  /** A registered signer's public key as a KeyObject (parsed once per entry). */
  publicKeyOf(entry: SignerEntry): KeyObject {
    let key = this.parsed.get(entry);
    if (!key) this.parsed.set(entry, (key = createPublicKey(entry.publicKey)));
    return key;
  }

  /** Registers a signer; `false` when the same kid and key were already registered. */
  async register(actor: Actor, input: SignerInput): Promise<boolean> {
    const done = await this.writer.run(actor, (state) => {
      const existing = registryEntry(state, input.kid);
      if (existing && existing.publicKey === input.publicKey && existing.algorithm === input.algorithm) return null;
      if (existing) throw new SignerKidReusedError(input.kid);
      return { type: 'RegisterSigner', ...input, validUntil: input.validUntil ?? null, now: this.ports.clock.now() };
    });
    if (done) await this.views.waitFor(done.position).catch(() => undefined);
    return done !== null;
  }

  /** Retires a signer (its past signatures stay verifiable); `false` when unknown or already retired. */
  async retire(actor: Actor, kid: string, reason: string): Promise<boolean> {
    const done = await this.writer.run(actor, (state) => {
      const existing = registryEntry(state, kid);
      if (!existing || existing.status === 'Retired') return null;
      return { type: 'RetireSigner', kid, reason, now: this.ports.clock.now() };
    });
    if (done) await this.views.waitFor(done.position).catch(() => undefined);
    return done !== null;
  }

  /** Registers the signer of one signing key version (public key derived through the key cache). */
  async registerKeyVersion(actor: Actor, key: ExistingKeyState, version: KeyVersion): Promise<boolean> {
    const { key: found } = await this.retrieval.public(key, version);
    return this.register(actor, {
      kid: kidOf(key.keyId, version.version),
      publicKey: found.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      algorithm: key.algorithm as KeySigningAlgorithm,
      owner: { kind: 'key-version', tenantId: key.tenantId, keyId: key.keyId, version: version.version },
      validFrom: new Date(version.createdAt),
    });
  }

  /**
   * Brings the registry in step with the keys: registers missing signing key versions and retires
   * the signers of destroyed keys, for the keys the read model reports as lagging (a page at a time;
   * keys in step cost nothing here). Each item stands alone; failures go to `onError` and are
   * retried by the next reconcile. Returns how many changes it made.
   */
  async reconcile(actor: Actor = SYSTEM_ACTOR): Promise<number> {
    let changed = 0;
    let cursor: string | null = null;
    do {
      const page = this.views.models.signers.keysNeedingSigners({ limit: 200, cursor });
      for (const key of page.items) changed += await this.reconcileKey(actor, key).catch((error: unknown) => (this.onError(error), 0));
      cursor = page.next;
    } while (cursor !== null);
    return changed;
  }

  /** Follows key events from now on and reconciles once (call after the views replayed). */
  follow(actor: Actor = SYSTEM_ACTOR): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.views.onEvent((_recorded, event) => this.onKeyEvent(actor, event));
    this.enqueue(() => this.reconcile(actor).then(() => undefined));
  }

  /** Resolves when the queued registrations are done. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) await (seen = this.queue);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private async reconcileKey(actor: Actor, key: ExistingKeyState): Promise<number> {
    let changed = 0;
    if (key.status === 'Destroyed') {
      for (const v of key.versions) if (await this.retire(actor, kidOf(key.keyId, v.version), 'key destroyed')) changed++;
      return changed;
    }
    for (const v of key.versions) {
      if (v.version < key.minAvailableVersion) {
        // A trimmed version's signer is retired but stays in the registry (its history is kept).
        if (await this.retire(actor, kidOf(key.keyId, v.version), 'key version trimmed')) changed++;
        continue;
      }
      if (this.find(kidOf(key.keyId, v.version))) continue;
      if (await this.registerKeyVersion(actor, key, v)) changed++;
    }
    return changed;
  }

  private onKeyEvent(actor: Actor, event: KeyledgerEvent | null): void {
    if (event === null || !FOLLOWED.has(event.type) || !hasEventType(event, KEY_EVENT_TYPES)) return;
    const { tenantId, keyId } = event.data;
    this.enqueue(async () => {
      const key = this.views.models.keys.get(tenantId, keyId);
      if (key && key.purpose === 'sign') await this.reconcileKey(actor, key);
    });
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch((error: unknown) => this.onError(error));
  }
}
