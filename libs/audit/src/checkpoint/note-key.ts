import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  isConcurrencyConflict,
  keyMaterialStream,
  readWholeStream,
  type DomainEvent,
  type EncryptionContext,
  type EventContext,
  type EventStore,
  type IsoTimestamp,
  type KeyMaterialWrapped,
  type KmsProvider,
  type KmsProviderKind,
} from '@keyledger/kms-domain';
import { AuditKeyMismatchError } from '../audit-errors';
import { noteKeyId, noteVerifierKeyString } from '../note/note-keys';
import { nodeCryptoSigner, type CheckpointSigner } from '../note/signed-note';
import { AUDIT_KEY_STREAM } from './audit-key';

export const AUDIT_NOTE_KEY_EVENT_TYPE = 'AuditNoteKeyCreated';
export const AUDIT_NOTE_KEY_SCHEMA_VERSION = 1;

/**
 * Where the wrapped Ed25519 private key is kept: a key-material stream (never exported, never in
 * the tree), named like a tenant key's under a tenant id the checkpoint key reserves.
 */
export const AUDIT_NOTE_KEY_TENANT = 'keyledger.audit';
export const AUDIT_NOTE_KEY_ID = 'note-ed25519';
export const AUDIT_NOTE_KEY_MATERIAL_STREAM = keyMaterialStream(AUDIT_NOTE_KEY_TENANT, AUDIT_NOTE_KEY_ID);

/**
 * The checkpoint's Ed25519 key (C2SP tlog-tiles: a log that talks to the witness network signs
 * with Ed25519), recorded as the second event of `audit-key`. Its private key is generated here and
 * wrapped under the provider's master key like a tenant key's material; the record holds the
 * public key, the standard verifier key string and the SHA-256 of the wrapped blob it uses.
 */
export type AuditNoteKeyCreated = DomainEvent<
  'AuditNoteKeyCreated',
  {
    /** Signed-note key name: the checkpoint origin. */
    readonly keyName: string;
    readonly algorithm: 'ED25519';
    readonly custody: 'wrapped';
    readonly provider: KmsProviderKind;
    readonly masterKeyRef: string;
    readonly wrappedMaterialSha256: string;
    /** Base64 of the SubjectPublicKeyInfo DER. */
    readonly publicKey: string;
    /** Hex of the 4-byte signed-note key ID. */
    readonly keyId: string;
    /** `<name>+<hex key ID>+<base64 key>`, what note.NewVerifier reads. */
    readonly verifierKey: string;
    readonly createdAt: IsoTimestamp;
  }
>;

export type AuditNoteKeyRecord = AuditNoteKeyCreated['data'];

/** The recorded note key and a signer over its unwrapped private key. */
export interface AuditNoteKey {
  readonly record: AuditNoteKeyRecord;
  readonly signer: CheckpointSigner;
}

/** Binds the wrapped blob to this use: the provider refuses to unwrap it for anything else. */
export function noteKeyContext(keyName: string): EncryptionContext {
  return { purpose: 'keyledger-audit-note-key', keyName, keyVersion: '1' };
}

/** The recorded note key, or null when none was created yet. */
export async function readAuditNoteKey(store: EventStore): Promise<AuditNoteKeyRecord | null> {
  const events = await store.readStream(AUDIT_KEY_STREAM, { maxCount: 8 });
  const found = events.find((e) => e.type === AUDIT_NOTE_KEY_EVENT_TYPE);
  if (found === undefined) return null;
  if (found.schemaVersion !== AUDIT_NOTE_KEY_SCHEMA_VERSION) throw new AuditKeyMismatchError(`${AUDIT_NOTE_KEY_EVENT_TYPE} v${found.schemaVersion}`);
  return found.data as AuditNoteKeyRecord;
}

/**
 * The note key, created once: generates an Ed25519 key, wraps it through the provider, appends the
 * blob to the key-material stream and then `AuditNoteKeyCreated` to `audit-key` after the ECDSA
 * key's event (expected revision 0). A process that loses that race unwraps the winner's key.
 * Needs `AuditKeyCreated` recorded first.
 */
export async function ensureAuditNoteKey(store: EventStore, provider: KmsProvider, keyName: string, newContext: () => EventContext, signal?: AbortSignal): Promise<AuditNoteKey> {
  const existing = await readAuditNoteKey(store);
  if (existing !== null) return openAuditNoteKey(store, provider, existing, signal);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const encryptionContext = noteKeyContext(keyName);
  let wrapped: Buffer;
  try {
    wrapped = Buffer.from(await provider.encrypt(pkcs8, encryptionContext, { signal }));
  } finally {
    pkcs8.fill(0);
  }
  const sha = createHash('sha256').update(wrapped).digest('hex');
  const context = newContext();
  const material: KeyMaterialWrapped = {
    type: 'KeyMaterialWrapped',
    schemaVersion: 1,
    data: {
      tenantId: AUDIT_NOTE_KEY_TENANT,
      keyId: AUDIT_NOTE_KEY_ID,
      version: 1,
      wrappedMaterial: wrapped.toString('base64'),
      wrappedMaterialSha256: sha,
      masterKeyRef: provider.masterKeyId,
      encryptionContext,
      wrappedAt: context.occurredAt,
    },
  };
  await store.append(AUDIT_NOTE_KEY_MATERIAL_STREAM, [{ ...material, metadata: context }]);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const event: AuditNoteKeyCreated = {
    type: AUDIT_NOTE_KEY_EVENT_TYPE,
    schemaVersion: AUDIT_NOTE_KEY_SCHEMA_VERSION,
    data: {
      keyName,
      algorithm: 'ED25519',
      custody: 'wrapped',
      provider: provider.kind,
      masterKeyRef: provider.masterKeyId,
      wrappedMaterialSha256: sha,
      publicKey: spki.toString('base64'),
      keyId: noteKeyId(keyName, 'ED25519', spki).toString('hex'),
      verifierKey: noteVerifierKeyString(keyName, spki),
      createdAt: context.occurredAt,
    },
  };
  try {
    await store.append(AUDIT_KEY_STREAM, [{ ...event, metadata: newContext() }], { expectedRevision: 0 });
    return { record: event.data, signer: nodeCryptoSigner(keyName, privateKey) };
  } catch (error) {
    if (!isConcurrencyConflict(error)) throw error;
    const winner = await readAuditNoteKey(store);
    if (winner === null) throw error;
    return openAuditNoteKey(store, provider, winner, signal);
  }
}

/**
 * Unwraps the recorded note key (the blob its record names, by SHA-256) and checks it is the
 * recorded public key: a swapped blob or record fails closed with AUDIT_KEY_MISMATCH.
 */
export async function openAuditNoteKey(store: EventStore, provider: KmsProvider, record: AuditNoteKeyRecord, signal?: AbortSignal): Promise<AuditNoteKey> {
  const blobs = await readWholeStream(store, AUDIT_NOTE_KEY_MATERIAL_STREAM);
  const match = blobs.map((e) => e.data as KeyMaterialWrapped['data']).find((d) => d.wrappedMaterialSha256 === record.wrappedMaterialSha256);
  if (match === undefined) throw new AuditKeyMismatchError('the wrapped note key is missing');
  const plaintext = Buffer.from(await provider.decrypt(Buffer.from(match.wrappedMaterial, 'base64'), noteKeyContext(record.keyName), { signal }));
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: plaintext, format: 'der', type: 'pkcs8' });
  } catch {
    throw new AuditKeyMismatchError('the wrapped note key is not a private key');
  } finally {
    plaintext.fill(0);
  }
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (privateKey.asymmetricKeyType !== 'ed25519' || !spki.equals(Buffer.from(record.publicKey, 'base64'))) {
    throw new AuditKeyMismatchError('the wrapped note key is not the recorded public key');
  }
  return { record, signer: nodeCryptoSigner(record.keyName, privateKey) };
}
