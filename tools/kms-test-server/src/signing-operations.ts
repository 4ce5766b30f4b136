import { createHash } from 'node:crypto';
import { signP256Digest, verifyP256Digest } from '@keyledger/adapters';
import { KmsApiError, validation } from './aws-error';
import type { KeyStore, KmsKey } from './key-store';
import { b64, bytesField, stringField, type RequestBody } from './request-fields';

/** The digest to sign or verify: the Message itself (DIGEST) or its SHA-256 (RAW, the default). */
function digestOf(body: RequestBody): Buffer {
  const algorithm = stringField(body, 'SigningAlgorithm');
  if (algorithm !== 'ECDSA_SHA_256') throw validation(`SigningAlgorithm ${String(algorithm)} is not valid for this key.`);
  const message = bytesField(body, 'Message', 4096);
  const type = stringField(body, 'MessageType') ?? 'RAW';
  if (type === 'RAW') return createHash('sha256').update(message).digest();
  if (type !== 'DIGEST') throw validation(`MessageType ${type} is not valid.`);
  if (message.length !== 32) throw validation('A DIGEST message for ECDSA_SHA_256 must be 32 bytes.');
  return message;
}

function signingKey(store: KeyStore, body: RequestBody): KmsKey & { privateKey: NonNullable<KmsKey['privateKey']>; publicKey: NonNullable<KmsKey['publicKey']> } {
  const key = store.usable(body['KeyId'], 'SIGN_VERIFY');
  if (key.privateKey === undefined || key.publicKey === undefined) throw new KmsApiError('InvalidKeyUsageException', `${key.arn} cannot sign.`);
  return { ...key, privateKey: key.privateKey, publicKey: key.publicKey };
}

/** Sign, Verify and GetPublicKey for ECC_NIST_P256 keys (ECDSA_SHA_256, DER signatures). */
export const signingOperations = {
  Sign(store: KeyStore, body: RequestBody) {
    const key = signingKey(store, body);
    const signature = signP256Digest(key.privateKey, digestOf(body));
    return { KeyId: key.arn, Signature: b64(signature), SigningAlgorithm: 'ECDSA_SHA_256' };
  },
  Verify(store: KeyStore, body: RequestBody) {
    const key = signingKey(store, body);
    const signature = bytesField(body, 'Signature', 6144);
    if (!verifyP256Digest(key.publicKey, digestOf(body), signature)) {
      throw new KmsApiError('KMSInvalidSignatureException', 'The signature verification failed.');
    }
    return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' };
  },
  GetPublicKey(store: KeyStore, body: RequestBody) {
    const key = signingKey(store, body);
    return {
      KeyId: key.arn,
      PublicKey: b64(key.publicKey.export({ format: 'der', type: 'spki' })),
      KeySpec: key.spec,
      CustomerMasterKeySpec: key.spec,
      KeyUsage: key.usage,
      SigningAlgorithms: ['ECDSA_SHA_256'],
    };
  },
};
