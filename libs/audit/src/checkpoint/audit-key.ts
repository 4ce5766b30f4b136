import { createPublicKey } from 'node:crypto';
import { isConcurrencyConflict, type DomainEvent, type EventContext, type EventStore, type IsoTimestamp, type KmsProvider, type KmsProviderKind } from '@keyledger/kms-domain';
import { AuditKeyMismatchError } from '../audit-errors';
import { noteKeyId, noteVerifierKey } from '../note/note-keys';

/** The stream recording the audit key (one event, appended with expected revision `no-stream`). */
export const AUDIT_KEY_STREAM = 'audit-key';
export const AUDIT_KEY_EVENT_TYPE = 'AuditKeyCreated';
export const AUDIT_KEY_SCHEMA_VERSION = 1;

/** Origin line and note key name used when the first process creates the audit key. */
export const DEFAULT_AUDIT_ORIGIN = 'keyledger/audit';

/**
 * The audit key was created inside the KMS provider: where it lives, its public key and the
 * origin/key name every checkpoint signed with it carries. Never the private key (it never leaves
 * the provider).
 */
export type AuditKeyCreated = DomainEvent<
  'AuditKeyCreated',
  {
    /** Signed-note key name of the checkpoint signatures. */
    readonly keyName: string;
    /** Origin line of every checkpoint. */
    readonly origin: string;
    readonly algorithm: 'ECDSA_P256_SHA256';
    readonly provider: KmsProviderKind;
    readonly providerKeyId: string;
    /** Base64 of the SubjectPublicKeyInfo DER. */
    readonly publicKey: string;
    /** Hex of the 4-byte signed-note key ID. */
    readonly keyId: string;
    readonly createdAt: IsoTimestamp;
  }
>;

/** The recorded audit key (the event's data). */
export type AuditKeyRecord = AuditKeyCreated['data'];

/** What creating the key needs: the event's context, and the names to record when it is created. */
export interface EnsureAuditKeyOptions {
  readonly context: EventContext;
  readonly origin?: string;
  readonly keyName?: string;
  readonly signal?: AbortSignal;
}

/** The recorded audit key, or null when none was created yet. */
export async function readAuditKey(store: EventStore): Promise<AuditKeyRecord | null> {
  const [first] = await store.readStream(AUDIT_KEY_STREAM, { maxCount: 1 });
  if (first === undefined) return null;
  if (first.type !== AUDIT_KEY_EVENT_TYPE || first.schemaVersion !== AUDIT_KEY_SCHEMA_VERSION) {
    throw new AuditKeyMismatchError(`${AUDIT_KEY_STREAM} starts with ${first.type} v${first.schemaVersion}`);
  }
  return first.data as AuditKeyRecord;
}

/**
 * The audit key, created once: when the store records none, creates an ECDSA P-256 key inside the
 * provider and appends `AuditKeyCreated` with expected revision `no-stream`. A process that loses
 * that race uses the winner's key (its own provider key stays unused).
 */
export async function ensureAuditKey(store: EventStore, provider: KmsProvider, options: EnsureAuditKeyOptions): Promise<AuditKeyRecord> {
  const existing = await readAuditKey(store);
  if (existing !== null) return existing;
  const { keyId: providerKeyId } = await provider.createAsymmetricKey('ECC_NIST_P256', { signal: options.signal, role: 'audit' });
  const spki = Buffer.from(await provider.getPublicKey(providerKeyId, { signal: options.signal }));
  const keyName = options.keyName ?? options.origin ?? DEFAULT_AUDIT_ORIGIN;
  const event: AuditKeyCreated = {
    type: AUDIT_KEY_EVENT_TYPE,
    schemaVersion: AUDIT_KEY_SCHEMA_VERSION,
    data: {
      keyName,
      origin: options.origin ?? DEFAULT_AUDIT_ORIGIN,
      algorithm: 'ECDSA_P256_SHA256',
      provider: provider.kind,
      providerKeyId,
      publicKey: spki.toString('base64'),
      keyId: noteKeyId(keyName, 'ECDSA_P256_SHA256', spki).toString('hex'),
      createdAt: options.context.occurredAt,
    },
  };
  if (noteVerifierKey(spki).algorithm !== 'ECDSA_P256_SHA256') throw new AuditKeyMismatchError('the provider did not create a P-256 key');
  try {
    await store.append(AUDIT_KEY_STREAM, [{ ...event, metadata: options.context }], { expectedRevision: 'no-stream' });
    return event.data;
  } catch (error) {
    if (!isConcurrencyConflict(error)) throw error;
    const winner = await readAuditKey(store);
    if (winner === null) throw error;
    return winner;
  }
}

/** The recorded public key as PEM (SPKI), what auditors pin with `audit verify --audit-key`. */
export function auditKeyPem(record: Pick<AuditKeyRecord, 'publicKey'>): string {
  return createPublicKey({ key: Buffer.from(record.publicKey, 'base64'), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
}
