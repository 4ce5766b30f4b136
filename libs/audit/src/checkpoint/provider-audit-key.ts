import { createHash, verify as cryptoVerify } from 'node:crypto';
import type { EventContext, EventStore, KmsProvider } from '@keyledger/kms-domain';
import { AuditKeyMismatchError } from '../audit-errors';
import { noteVerifierKey } from '../note/note-keys';
import type { CheckpointSigner } from '../note/signed-note';
import { AuditKeyRecord, ensureAuditKey } from './audit-key';
import { ensureAuditNoteKey, type AuditNoteKeyRecord } from './note-key';
import type { AuditLog } from './audit-log';
import { SignCheckpointResult, signAuditCheckpoint } from './sign-audit-checkpoint';

/** Provider calls of the audit key end after this long (the raw provider has no timeout of its own). */
export const AUDIT_KEY_CALL_TIMEOUT_MS = 10_000;

/**
 * A CheckpointSigner over a provider-resident ECDSA P-256 key: the note text is hashed with
 * SHA-256 here and the digest signed inside the provider (DER), which is what the note verifier
 * checks for key type 0x02. Each signature is verified against the recorded public key before it
 * is returned, so a provider answering with another key never produces a checkpoint.
 */
export function providerCheckpointSigner(provider: KmsProvider, record: AuditKeyRecord, timeoutMs = AUDIT_KEY_CALL_TIMEOUT_MS): CheckpointSigner {
  const pinned = noteVerifierKey(Buffer.from(record.publicKey, 'base64'));
  return {
    keyName: record.keyName,
    algorithm: pinned.algorithm,
    publicKeySpki: pinned.spkiDer,
    async sign(message) {
      const digest = createHash('sha256').update(message).digest();
      const signature = Buffer.from(await provider.sign(record.providerKeyId, digest, 'ECDSA_SHA_256', { signal: AbortSignal.timeout(timeoutMs) }));
      if (!cryptoVerify('sha256', message, { key: pinned.key, dsaEncoding: 'der' }, signature)) {
        throw new AuditKeyMismatchError('the provider signature does not verify with the recorded public key');
      }
      return signature;
    },
  };
}

/** The two keys checkpoints are signed with: the provider-resident ECDSA key and the wrapped Ed25519 note key. */
interface LoadedKeys {
  readonly record: AuditKeyRecord;
  readonly signer: CheckpointSigner;
  readonly noteRecord: AuditNoteKeyRecord;
  readonly noteSigner: CheckpointSigner;
}

/**
 * The audit keys of one process (API or scheduler): created once through the provider when the
 * store records none, checked once against the provider's public key and the recorded note key
 * (fail closed on a mismatch), then reused. A failed load is retried on the next call.
 */
export class ProviderAuditKey {
  private loading: Promise<LoadedKeys> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly provider: KmsProvider,
    private readonly newContext: () => EventContext,
    private readonly timeoutMs = AUDIT_KEY_CALL_TIMEOUT_MS,
  ) {}

  /** The recorded key (creating it on first use). */
  async record(): Promise<AuditKeyRecord> {
    return (await this.load()).record;
  }

  /** The recorded Ed25519 note key (creating it on first use). */
  async noteRecord(): Promise<AuditNoteKeyRecord> {
    return (await this.load()).noteRecord;
  }

  /** The checkpoint signer backed by the provider. */
  async signer(): Promise<CheckpointSigner> {
    return (await this.load()).signer;
  }

  /** The checkpoint use case with this key: signs the log's head when new audited events exist. */
  async signCheckpoint(log: AuditLog, context: EventContext): Promise<SignCheckpointResult> {
    const { record, signer, noteSigner } = await this.load();
    return signAuditCheckpoint(log, this.store, { origin: record.origin, signer, cosigners: [noteSigner], context });
  }

  private load(): Promise<LoadedKeys> {
    if (this.loading === null) {
      this.loading = this.open();
      this.loading.catch(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async open(): Promise<LoadedKeys> {
    const record = await ensureAuditKey(this.store, this.provider, { context: this.newContext(), signal: AbortSignal.timeout(this.timeoutMs) });
    if (record.provider !== this.provider.kind) throw new AuditKeyMismatchError(`the audit key lives in provider ${record.provider}, this process uses ${this.provider.kind}`);
    const live = Buffer.from(await this.provider.getPublicKey(record.providerKeyId, { signal: AbortSignal.timeout(this.timeoutMs) }));
    if (!live.equals(Buffer.from(record.publicKey, 'base64'))) throw new AuditKeyMismatchError('the provider holds another public key than the recorded one');
    const note = await ensureAuditNoteKey(this.store, this.provider, record.origin, this.newContext, AbortSignal.timeout(this.timeoutMs));
    if (note.record.keyName !== record.origin) throw new AuditKeyMismatchError('the note key is named for another origin');
    return { record, signer: providerCheckpointSigner(this.provider, record, this.timeoutMs), noteRecord: note.record, noteSigner: note.signer };
  }
}
