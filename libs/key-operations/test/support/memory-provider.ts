import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KmsProviderError, type EncryptionContext, type KmsErrorCode, type KmsProvider } from '@keyledger/kms-domain';

const aad = (context: EncryptionContext) => Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])));

/**
 * A test provider with real AES-256-GCM wrapping (context bound as associated data, as AWS KMS),
 * call counters and a switchable fault, standing in for the adapters' local provider in lib tests.
 */
export class MemoryProvider implements KmsProvider {
  readonly kind = 'local' as const;
  readonly masterKeyId = 'memory-master';
  private readonly master = randomBytes(32);
  readonly calls: Record<string, number> = {};
  fault: KmsErrorCode | null = null;
  delayMs = 0;

  private async enter(op: string): Promise<void> {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fault) throw new KmsProviderError(this.fault, `injected ${this.fault}`, { provider: 'local', operation: op });
  }

  async generateDataKey(context: EncryptionContext) {
    await this.enter('generateDataKey');
    const plaintext = new Uint8Array(randomBytes(32));
    return { plaintext, wrapped: this.seal(plaintext, context) };
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext) {
    await this.enter('encrypt');
    return this.seal(plaintext, context);
  }

  async decrypt(wrapped: Uint8Array, context: EncryptionContext) {
    await this.enter('decrypt');
    const b = Buffer.from(wrapped);
    try {
      const d = createDecipheriv('aes-256-gcm', this.master, b.subarray(0, 12));
      d.setAAD(aad(context));
      d.setAuthTag(b.subarray(12, 28));
      return new Uint8Array(Buffer.concat([d.update(b.subarray(28)), d.final()]));
    } catch {
      throw new KmsProviderError('KMS_INVALID_CIPHERTEXT', 'context mismatch', { provider: 'local', operation: 'decrypt' });
    }
  }

  async createAsymmetricKey(): Promise<never> {
    throw new KmsProviderError('KMS_UNSUPPORTED', 'not in tests', { provider: 'local', operation: 'createAsymmetricKey' });
  }
  async destroyKey(): Promise<boolean> {
    return false;
  }
  async sign(): Promise<never> {
    throw new KmsProviderError('KMS_UNSUPPORTED', 'not in tests', { provider: 'local', operation: 'sign' });
  }
  async getPublicKey(): Promise<never> {
    throw new KmsProviderError('KMS_UNSUPPORTED', 'not in tests', { provider: 'local', operation: 'getPublicKey' });
  }
  async describeKey() {
    return { keyId: this.masterKeyId, state: 'Enabled' as const, usage: 'ENCRYPT_DECRYPT' as const, keySpec: 'SYMMETRIC_DEFAULT' as const };
  }
  async healthProbe() {
    return { status: 'up' as const, provider: 'local' as const, latencyMs: 0 };
  }
  async close() {
    return undefined;
  }

  private seal(plaintext: Uint8Array, context: EncryptionContext): Uint8Array {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.master, iv);
    c.setAAD(aad(context));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return new Uint8Array(Buffer.concat([iv, c.getAuthTag(), body]));
  }
}
