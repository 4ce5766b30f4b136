import { BreakGlassError } from './break-glass-errors';
import { spkiPem, type EmergencyKeyCustody, type EmergencyKeyHsm } from './emergency-keys';

/**
 * HSM object label of an emergency key: `keyledger-breakglass-<sessionId>` (the kid is
 * `breakglass-<sessionId>`), the break-glass role beside `keyledger-tenant-…` and `keyledger-audit-…`.
 */
export const emergencyKeyLabel = (kid: string): string => `keyledger-${kid}`;

/**
 * Emergency keys inside the HSM (KMS_PROVIDER=pkcs11): created as sign-only, non-extractable token
 * objects labelled with the kid, so a restarted process finds them again; destroyed by deleting the
 * objects. Calls go to the provider directly, not through the signing breaker, which is open
 * during the outage that justified the session.
 */
export class HsmEmergencyKeys implements EmergencyKeyCustody {
  readonly location = 'hsm' as const;

  constructor(private readonly hsm: EmergencyKeyHsm) {}

  async create(kid: string): Promise<string> {
    if (await this.hsm.findKeyByLabel(emergencyKeyLabel(kid))) {
      throw new BreakGlassError('EMERGENCY_KEY_UNAVAILABLE', `An emergency key for ${kid} already exists in the HSM`);
    }
    const { keyId } = await this.hsm.createLabelledKey(emergencyKeyLabel(kid));
    return spkiPem(await this.hsm.getPublicKey(keyId));
  }

  async sign(kid: string, digest: Uint8Array): Promise<Buffer> {
    const keyId = await this.hsm.findKeyByLabel(emergencyKeyLabel(kid));
    if (!keyId) throw new BreakGlassError('EMERGENCY_KEY_UNAVAILABLE', `The HSM holds no emergency key for ${kid}`);
    return Buffer.from(await this.hsm.sign(keyId, digest, 'ECDSA_SHA_256'));
  }

  async holds(kid: string): Promise<boolean> {
    return (await this.hsm.findKeyByLabel(emergencyKeyLabel(kid))) !== null;
  }

  async destroy(kid: string): Promise<boolean> {
    const keyId = await this.hsm.findKeyByLabel(emergencyKeyLabel(kid));
    return keyId === null ? false : this.hsm.destroyKey(keyId);
  }
}
