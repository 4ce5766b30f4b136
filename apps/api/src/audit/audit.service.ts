import { randomUUID } from 'node:crypto';
import {
  AuditLog,
  ProviderAuditKey,
  auditKeyPem,
  type AuditedEventsPage,
  type ConsistencyProofView,
  type InclusionProofView,
  type SignCheckpointResult,
  type StoredCheckpoint,
  type TileRef,
} from '@keyledger/audit';
import type { EventContext, EventStore, KmsProvider } from '@keyledger/kms-domain';

/** The audit public key as served for pinning (`GET /v1/audit/key`); no provider key id, no private part. */
export interface AuditKeyView {
  readonly keyName: string;
  readonly origin: string;
  readonly algorithm: 'ECDSA_P256_SHA256';
  /** Hex of the 4-byte signed-note key ID. */
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly createdAt: string;
  /**
   * The checkpoint's Ed25519 signed-note verifier key, `<name>+<hex key ID>+<base64 key>`: what
   * `note.NewVerifier`, witnesses and `audit verify --audit-key` read.
   */
  readonly noteVerifierKey: string;
  /** Hex of the Ed25519 key's 4-byte signed-note key ID. */
  readonly noteKeyId: string;
  /** The Ed25519 public key as PEM (SPKI). */
  readonly notePublicKeyPem: string;
}

/** The newest checkpoint as served (`GET /v1/audit/checkpoints/latest`). */
export type CheckpointView = StoredCheckpoint['data'] & { readonly position: number };

const ACTOR = 'service:keyledger-api';

/**
 * The API's side of the audit log: one in-memory Merkle tree caught up from the store on each
 * call, and the provider-resident audit key (created on first use when the store records none,
 * the same key the scheduler signs checkpoints with).
 */
export class AuditService {
  private readonly log: AuditLog;
  private readonly key: ProviderAuditKey;

  constructor(store: EventStore, provider: KmsProvider) {
    this.log = new AuditLog(store);
    this.key = new ProviderAuditKey(store, provider, () => context('audit-key'));
  }

  /** The audit public key, created through the provider on first use. */
  async auditKey(): Promise<AuditKeyView> {
    const record = await this.key.record();
    const note = await this.key.noteRecord();
    const { keyName, origin, algorithm, keyId, createdAt } = record;
    return {
      keyName,
      origin,
      algorithm,
      keyId,
      publicKeyPem: auditKeyPem(record),
      createdAt,
      noteVerifierKey: note.verifierKey,
      noteKeyId: note.keyId,
      notePublicKeyPem: auditKeyPem({ publicKey: note.publicKey }),
    };
  }

  /** The newest checkpoint's signed note (C2SP checkpoint) with the witness cosignatures stored for it, or null before the first one. */
  async checkpointNote(): Promise<string | null> {
    await this.log.catchUp();
    return this.log.cosignedNote();
  }

  /** A tlog tile or entry bundle, or null when the log does not hold it (yet). */
  tile(ref: TileRef): Promise<Buffer | null> {
    return this.log.tile(ref);
  }

  /** The newest signed checkpoint, or null before the first one. */
  async latestCheckpoint(): Promise<CheckpointView | null> {
    await this.log.catchUp();
    const latest = this.log.latestCheckpoint();
    return latest === null ? null : { ...latest.data, position: latest.position };
  }

  inclusionProof(eventId: string, treeSize?: number): Promise<InclusionProofView> {
    return this.log.inclusionProof(eventId, treeSize);
  }

  consistencyProof(from: number, to?: number): Promise<ConsistencyProofView> {
    return this.log.consistencyProof(from, to);
  }

  auditedEvents(fromPosition: number, limit: number): Promise<AuditedEventsPage> {
    return this.log.auditedEvents(fromPosition, limit);
  }

  /** The scheduler's checkpoint use case run from this process (operators' tooling and tests). */
  signCheckpoint(): Promise<SignCheckpointResult> {
    return this.key.signCheckpoint(this.log, context('audit-checkpoint'));
  }
}

function context(job: string): EventContext {
  return { eventId: randomUUID(), occurredAt: new Date().toISOString(), actor: ACTOR, correlationId: `${job}-${randomUUID()}`, causationId: null };
}
