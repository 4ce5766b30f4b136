import { p256 } from '@noble/curves/p256';
import { BreakGlassError } from './break-glass-errors';
import { spkiPem, type EmergencyKeyCustody } from './emergency-keys';

const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * Emergency keys in this process's memory only: never written to disk, the store or a log, never
 * wrapped or exported. A restart loses them (the session is then recorded key-lost).
 *
 * The private scalar is kept as a plain byte array rather than a node:crypto KeyObject, because a
 * KeyObject's native memory cannot be overwritten from JavaScript; these bytes are zeroed on
 * destroy. Limits: @noble/curves turns the scalar into a BigInt while signing, and BigInts are
 * immutable (freed by the garbage collector, not overwritten); the runtime may also have copied
 * the buffer before. Overwriting is best effort; the HSM custody is the strong option.
 */
export class MemoryEmergencyKeys implements EmergencyKeyCustody {
  readonly location = 'memory' as const;
  private readonly keys = new Map<string, Uint8Array>();

  async create(kid: string): Promise<string> {
    if (this.keys.has(kid)) throw new BreakGlassError('EMERGENCY_KEY_UNAVAILABLE', `An emergency key for ${kid} already exists`);
    const secret = p256.utils.randomSecretKey();
    this.keys.set(kid, secret);
    return spkiPem(Buffer.concat([P256_SPKI_PREFIX, p256.getPublicKey(secret, false)]));
  }

  async sign(kid: string, digest: Uint8Array): Promise<Buffer> {
    const secret = this.keys.get(kid);
    if (!secret) throw new BreakGlassError('EMERGENCY_KEY_UNAVAILABLE', `This process holds no emergency key for ${kid}`);
    return Buffer.from(p256.sign(digest, secret, { prehash: false, lowS: false, extraEntropy: true }).toDERRawBytes());
  }

  async holds(kid: string): Promise<boolean> {
    return this.keys.has(kid);
  }

  async destroy(kid: string): Promise<boolean> {
    const secret = this.keys.get(kid);
    if (!secret) return false;
    secret.fill(0);
    this.keys.delete(kid);
    return true;
  }

  /** Zeroes and forgets every key (process shutdown). */
  destroyAll(): void {
    for (const secret of this.keys.values()) secret.fill(0);
    this.keys.clear();
  }
}
