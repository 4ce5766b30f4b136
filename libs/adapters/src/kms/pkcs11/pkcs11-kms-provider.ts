import { randomBytes } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import {
  DATA_KEY_BYTES,
  isKmsProviderError,
  type AsymmetricKeySpec,
  type CreateAsymmetricKeyOptions,
  type EncryptionContext,
  type GeneratedDataKey,
  type KmsCallOptions,
  type KmsHealth,
  type KmsProvider,
  type ProviderKeyDescription,
  type ProviderKeyRef,
  type SigningAlgorithm,
} from '@keyledger/kms-domain';
import { concat, ecdsaRawToDer } from '../shared/ecdsa-der';
import { kmsError, throwIfAborted } from '../shared/kms-errors';
import * as v from '../shared/validation';
import { mapPkcs11Error, mapUnwrapError } from './pkcs11-error-mapping';
import { assertLabel, ecKeyPairTemplates, findKeyById, findMasterKey, isProviderKeyRole, isTrue, masterKeyTemplate, narrowLegacyRights, p256Spki, residentKeyLabel } from './pkcs11-keys';
import { Pkcs11Token, type Pkcs11TokenOptions } from './pkcs11-token';

export interface Pkcs11KmsOptions extends Pkcs11TokenOptions {
  /** `PKCS11_MASTER_KEY_LABEL`: label of the AES-256 wrapping key (default `keyledger-master`). */
  readonly masterKeyLabel?: string;
  /** Generate the wrapping key in the token when it is missing (first start of a fresh token). */
  readonly createMasterKey?: boolean;
}

// Blob: "P1" | version 1 | iv (12) | ciphertext ‖ tag (16); header and canonical context are the AAD.
const HEADER = Buffer.from([0x50, 0x31, 0x01]);
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[0-9a-f]{32}$/;

/**
 * An HSM through PKCS#11 (tested on SoftHSM2). Wraps with AES-256-GCM under a token key, creates
 * P-256 keys inside the token and signs with raw CKM_ECDSA over a digest computed in Node, turning
 * the token's r‖s into DER. A PKCS#11 call cannot be interrupted: the abort signal is checked
 * before each call.
 */
export class Pkcs11KmsProvider implements KmsProvider {
  readonly kind = 'pkcs11' as const;

  private constructor(
    private readonly token: Pkcs11Token,
    readonly masterKeyId: string,
    /** Objects of earlier versions whose unused rights were cleared at this start (see narrowLegacyRights). */
    readonly legacyObjectsNarrowed: number,
  ) {}

  static async create(options: Pkcs11KmsOptions): Promise<Pkcs11KmsProvider> {
    const token = Pkcs11Token.open(options);
    const label = options.masterKeyLabel ?? DEFAULT_MASTER_KEY_LABEL;
    let narrowed: number;
    try {
      const found = findMasterKey(token, label);
      if (found.length > 1) throw kmsError('pkcs11', 'start', 'KMS_MISCONFIGURED', `more than one key labelled ${label}`);
      if (found.length === 0 && !options.createMasterKey) throw kmsError('pkcs11', 'start', 'KMS_MISCONFIGURED', `no key labelled ${label} in the token`);
      const masterKey = found[0] ?? token.lib.C_GenerateKey(token.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, masterKeyTemplate(label));
      narrowed = narrowLegacyRights(token, masterKey);
    } catch (error) {
      token.close();
      throw isKmsProviderError(error) ? error : mapPkcs11Error(error, 'start');
    }
    return new Pkcs11KmsProvider(token, label, narrowed);
  }

  async generateDataKey(context: EncryptionContext, options?: KmsCallOptions): Promise<GeneratedDataKey> {
    return this.run('generateDataKey', options, () => {
      const plaintext = new Uint8Array(this.token.lib.C_GenerateRandom(this.token.session, Buffer.alloc(DATA_KEY_BYTES)));
      return { plaintext, wrapped: this.wrap('generateDataKey', plaintext, context) };
    });
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertPlaintext(plaintext, 'pkcs11', 'encrypt');
    return this.run('encrypt', options, () => this.wrap('encrypt', plaintext, context));
  }

  async decrypt(wrapped: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertCiphertext(wrapped, 'pkcs11', 'decrypt');
    v.assertEncryptionContext(context, 'pkcs11', 'decrypt');
    return this.run('decrypt', options, () => {
      const blob = Buffer.from(wrapped);
      if (blob.length <= HEADER.length + IV_BYTES + TAG_BYTES || !blob.subarray(0, HEADER.length).equals(HEADER)) {
        throw kmsError('pkcs11', 'decrypt', 'KMS_INVALID_CIPHERTEXT', 'the blob is malformed');
      }
      const iv = blob.subarray(HEADER.length, HEADER.length + IV_BYTES);
      const body = blob.subarray(HEADER.length + IV_BYTES);
      this.token.lib.C_DecryptInit(this.token.session, gcm(iv, context), this.masterKey());
      try {
        return new Uint8Array(this.token.lib.C_Decrypt(this.token.session, body, Buffer.alloc(body.length)));
      } catch (error) {
        throw mapUnwrapError(error);
      }
    });
  }

  /** A P-256 pair in the token labelled by role: `keyledger-tenant-<id>` or `keyledger-audit-<id>`. */
  async createAsymmetricKey(spec: AsymmetricKeySpec, options?: CreateAsymmetricKeyOptions): Promise<ProviderKeyRef> {
    if (spec !== 'ECC_NIST_P256') throw kmsError('pkcs11', 'createAsymmetricKey', 'KMS_UNSUPPORTED', 'only ECC_NIST_P256 is supported');
    const role = options?.role ?? 'tenant';
    if (!isProviderKeyRole(role)) throw kmsError('pkcs11', 'createAsymmetricKey', 'KMS_INVALID_REQUEST', 'unknown key role');
    return this.run('createAsymmetricKey', options, () => this.generatePair((id) => residentKeyLabel(role, id)));
  }

  /**
   * A P-256 pair as `createAsymmetricKey`, labelled `label`, so a restarted process finds it again
   * (break-glass emergency keys are labelled with their kid).
   */
  async createLabelledKey(label: string, options?: KmsCallOptions): Promise<ProviderKeyRef> {
    assertLabel(label, 'createLabelledKey');
    return this.run('createLabelledKey', options, () => this.generatePair(() => label));
  }

  /** The key id of the private key labelled `label`, or null when the token has none. */
  async findKeyByLabel(label: string, options?: KmsCallOptions): Promise<string | null> {
    assertLabel(label, 'findKeyByLabel');
    return this.run('findKeyByLabel', options, () => {
      const [handle] = this.token.find([
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_LABEL, value: label },
      ]);
      return handle === undefined ? null : this.token.attribute(handle, pkcs11js.CKA_ID).toString('hex');
    });
  }

  /**
   * Deletes a resident key pair (private and public objects) from the token; false when it held
   * none. Only key pairs are looked up, so the wrapping key can never be deleted this way.
   */
  async destroyKey(keyId: string, options?: KmsCallOptions): Promise<boolean> {
    v.assertKeyId(keyId, 'pkcs11', 'destroyKey');
    if (keyId === this.masterKeyId) throw kmsError('pkcs11', 'destroyKey', 'KMS_INVALID_REQUEST', 'only provider-resident keys can be destroyed');
    return this.run('destroyKey', options, () => {
      if (!KEY_ID.test(keyId)) return false;
      const id = Buffer.from(keyId, 'hex');
      const handles = [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY].map((c) => findKeyById(this.token, id, c));
      const found = handles.filter((h): h is pkcs11js.Handle => h !== undefined);
      for (const handle of found) this.token.lib.C_DestroyObject(this.token.session, handle);
      return found.length > 0;
    });
  }

  async sign(keyId: string, digest: Uint8Array, algorithm: SigningAlgorithm, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertSha256Digest(digest, 'pkcs11', 'sign');
    if (algorithm !== 'ECDSA_SHA_256') throw kmsError('pkcs11', 'sign', 'KMS_UNSUPPORTED', 'only ECDSA_SHA_256 is supported');
    return this.run('sign', options, () => {
      this.token.lib.C_SignInit(this.token.session, { mechanism: pkcs11js.CKM_ECDSA }, this.residentKey(keyId, 'sign', pkcs11js.CKO_PRIVATE_KEY));
      return ecdsaRawToDer(this.token.lib.C_Sign(this.token.session, Buffer.from(digest), Buffer.alloc(64)));
    });
  }

  async getPublicKey(keyId: string, options?: KmsCallOptions): Promise<Uint8Array> {
    return this.run('getPublicKey', options, () => p256Spki(this.token, this.residentKey(keyId, 'getPublicKey', pkcs11js.CKO_PUBLIC_KEY)));
  }

  async describeKey(keyId?: string, options?: KmsCallOptions): Promise<ProviderKeyDescription> {
    return this.run('describeKey', options, () => {
      if (keyId === undefined || keyId === this.masterKeyId) {
        const enabled = isTrue(this.token.attribute(this.masterKey(), pkcs11js.CKA_DECRYPT));
        return { keyId: this.masterKeyId, state: enabled ? 'Enabled' : 'Disabled', usage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT' };
      }
      const enabled = isTrue(this.token.attribute(this.residentKey(keyId, 'describeKey', pkcs11js.CKO_PRIVATE_KEY), pkcs11js.CKA_SIGN));
      return { keyId, state: enabled ? 'Enabled' : 'Disabled', usage: 'SIGN_VERIFY', keySpec: 'ECC_NIST_P256' };
    });
  }

  async healthProbe(options?: KmsCallOptions): Promise<KmsHealth> {
    const started = performance.now();
    const latencyMs = () => Math.round(performance.now() - started);
    try {
      const { state } = await this.describeKey(undefined, options);
      if (state === 'Enabled') return { status: 'up', provider: 'pkcs11', latencyMs: latencyMs() };
      return { status: 'down', provider: 'pkcs11', latencyMs: latencyMs(), code: 'KMS_KEY_DISABLED', reason: 'the wrapping key is disabled' };
    } catch (error) {
      if (!isKmsProviderError(error)) throw error;
      return { status: 'down', provider: 'pkcs11', latencyMs: latencyMs(), code: error.code, reason: error.message };
    }
  }

  /**
   * Operator switch (what "disable" means on an HSM): clears or sets CKA_ENCRYPT/CKA_DECRYPT on
   * the wrapping key or CKA_SIGN on a resident private key, so the token itself refuses the use.
   */
  async setKeyEnabled(keyId: string, enabled: boolean, options?: KmsCallOptions): Promise<void> {
    return this.run('setKeyEnabled', options, () => {
      if (keyId === this.masterKeyId) {
        const template = [pkcs11js.CKA_ENCRYPT, pkcs11js.CKA_DECRYPT].map((type) => ({ type, value: enabled }));
        this.token.lib.C_SetAttributeValue(this.token.session, this.masterKey(), template);
        return;
      }
      const key = this.residentKey(keyId, 'setKeyEnabled', pkcs11js.CKO_PRIVATE_KEY);
      this.token.lib.C_SetAttributeValue(this.token.session, key, [{ type: pkcs11js.CKA_SIGN, value: enabled }]);
    });
  }

  async close(): Promise<void> {
    this.token.close();
  }

  private wrap(operation: string, plaintext: Uint8Array, context: EncryptionContext): Uint8Array {
    v.assertEncryptionContext(context, 'pkcs11', operation);
    const iv = randomBytes(IV_BYTES);
    this.token.lib.C_EncryptInit(this.token.session, gcm(iv, context), this.masterKey());
    const sealed = this.token.lib.C_Encrypt(this.token.session, Buffer.from(plaintext), Buffer.alloc(plaintext.length + TAG_BYTES));
    return concat([HEADER, iv, sealed]);
  }

  private generatePair(labelFor: (id: Buffer) => string): ProviderKeyRef {
    const id = randomBytes(16);
    const templates = ecKeyPairTemplates(id, labelFor(id));
    this.token.lib.C_GenerateKeyPair(this.token.session, { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN }, templates.publicKey, templates.privateKey);
    return { keyId: id.toString('hex') };
  }

  private masterKey(): pkcs11js.Handle {
    const [handle] = findMasterKey(this.token, this.masterKeyId);
    if (handle === undefined) throw kmsError('pkcs11', 'wrap', 'KMS_KEY_NOT_FOUND', 'the wrapping key is gone from the token');
    return handle;
  }

  private residentKey(keyId: string, operation: string, objectClass: number): pkcs11js.Handle {
    v.assertKeyId(keyId, 'pkcs11', operation);
    const handle = KEY_ID.test(keyId) ? findKeyById(this.token, Buffer.from(keyId, 'hex'), objectClass) : undefined;
    if (handle === undefined) throw kmsError('pkcs11', operation, 'KMS_KEY_NOT_FOUND', 'no such key');
    return handle;
  }

  private run<T>(operation: string, options: KmsCallOptions | undefined, body: () => T): Promise<T> {
    try {
      throwIfAborted(options?.signal, 'pkcs11', operation);
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(isKmsProviderError(error) ? error : mapPkcs11Error(error, operation));
    }
  }
}

/** `PKCS11_MASTER_KEY_LABEL`'s default. */
export const DEFAULT_MASTER_KEY_LABEL = 'keyledger-master';

function gcm(iv: Buffer, context: EncryptionContext): pkcs11js.Mechanism {
  const aad = Buffer.concat([HEADER, v.canonicalEncryptionContext(context)]);
  const parameter: pkcs11js.AesGCM = { type: pkcs11js.CK_PARAMS_AES_GCM, iv, aad, ivBits: IV_BYTES * 8, tagBits: TAG_BYTES * 8 };
  return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
}
