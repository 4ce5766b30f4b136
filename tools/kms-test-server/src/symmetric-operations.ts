import { randomBytes } from 'node:crypto';
import { KmsApiError, invalidCiphertext, validation } from './aws-error';
import { blobKeyId, open, seal } from './ciphertext';
import { assertUsable, type KeyStore, type KmsKey } from './key-store';
import { b64, bytesField, contextField, numberField, stringField, type RequestBody } from './request-fields';

const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;

function dataKeyLength(body: RequestBody): number {
  const spec = stringField(body, 'KeySpec');
  const bytes = numberField(body, 'NumberOfBytes');
  if ((spec === undefined) === (bytes === undefined)) throw validation('Specify either KeySpec or NumberOfBytes.');
  if (spec === 'AES_256') return 32;
  if (spec === 'AES_128') return 16;
  if (spec !== undefined) throw validation(`KeySpec ${spec} is not valid.`);
  if (bytes === undefined || bytes < 1 || bytes > 1024) throw validation('NumberOfBytes must be 1 to 1024.');
  return bytes;
}

function generate(store: KeyStore, body: RequestBody): { key: KmsKey; plaintext: Buffer; blob: Buffer } {
  const key = store.usable(body['KeyId'], 'ENCRYPT_DECRYPT');
  const plaintext = randomBytes(dataKeyLength(body));
  return { key, plaintext, blob: seal(key.id, secretOf(key), plaintext, contextField(body)) };
}

/** Opens a blob: the key it names must exist, be usable and match KeyId when one is given. */
function unwrap(store: KeyStore, body: RequestBody, blobField: string, contextName: string, keyField: string): { key: KmsKey; plaintext: Buffer } {
  const blob = bytesField(body, blobField, MAX_CIPHERTEXT);
  const id = blobKeyId(blob);
  const key = id === undefined ? undefined : store.byId(id);
  if (key === undefined) throw invalidCiphertext();
  const requested = body[keyField];
  if (requested !== undefined && store.resolve(requested).id !== key.id) {
    throw new KmsApiError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext.');
  }
  assertUsable(key, 'ENCRYPT_DECRYPT');
  const plaintext = open(secretOf(key), blob, contextField(body, contextName));
  if (plaintext === undefined) throw invalidCiphertext();
  return { key, plaintext };
}

function secretOf(key: KmsKey): Buffer {
  if (key.secret === undefined) throw new KmsApiError('InvalidKeyUsageException', `${key.arn} is not a symmetric key.`);
  return key.secret;
}

/** GenerateDataKey, GenerateDataKeyWithoutPlaintext, Encrypt, Decrypt and ReEncrypt. */
export const symmetricOperations = {
  GenerateDataKey(store: KeyStore, body: RequestBody) {
    const { key, plaintext, blob } = generate(store, body);
    return { KeyId: key.arn, Plaintext: b64(plaintext), CiphertextBlob: b64(blob) };
  },
  GenerateDataKeyWithoutPlaintext(store: KeyStore, body: RequestBody) {
    const { key, blob } = generate(store, body);
    return { KeyId: key.arn, CiphertextBlob: b64(blob) };
  },
  Encrypt(store: KeyStore, body: RequestBody) {
    const key = store.usable(body['KeyId'], 'ENCRYPT_DECRYPT');
    const plaintext = bytesField(body, 'Plaintext', MAX_PLAINTEXT);
    return { KeyId: key.arn, CiphertextBlob: b64(seal(key.id, secretOf(key), plaintext, contextField(body))), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },
  Decrypt(store: KeyStore, body: RequestBody) {
    const { key, plaintext } = unwrap(store, body, 'CiphertextBlob', 'EncryptionContext', 'KeyId');
    return { KeyId: key.arn, Plaintext: b64(plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },
  ReEncrypt(store: KeyStore, body: RequestBody) {
    const source = unwrap(store, body, 'CiphertextBlob', 'SourceEncryptionContext', 'SourceKeyId');
    const destination = store.usable(body['DestinationKeyId'], 'ENCRYPT_DECRYPT');
    const blob = seal(destination.id, secretOf(destination), source.plaintext, contextField(body, 'DestinationEncryptionContext'));
    return {
      CiphertextBlob: b64(blob),
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    };
  },
};
