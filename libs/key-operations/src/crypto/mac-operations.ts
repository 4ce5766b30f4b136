import type { KeyObject } from 'node:crypto';
import { authorizeKeyUse, type ExistingKeyState, type KeyMacAlgorithm } from '@keyledger/kms-domain';
import { KeyOperationError } from '../errors';
import type { KeyViews } from '../views/key-views';
import { settleAll, type BatchOutcome } from './batch';
import type { KeyRetrieval } from './key-retrieval';
import { lookupKey } from './lookup';
import { computeMac, macMatches, macStringOf, parseMacString } from './mac';
import { kidOf } from './signatures';

export interface MacResult {
  readonly mac: Buffer;
  readonly keyVersion: number;
  readonly kid: string;
  readonly algorithm: KeyMacAlgorithm;
  /** `kl1mac.<kid>.<base64url mac>` */
  readonly macString: string;
}

export type VerifyMacResult = { readonly valid: true; readonly keyVersion: number } | { readonly valid: false; readonly keyVersion?: number };

/** One MAC check: a MAC with an optional version, or a MAC string alone. */
export type VerifyMacItem = { readonly message: Uint8Array } & ({ readonly mac: Uint8Array; readonly keyVersion?: number } | { readonly macString: string });

type SecretMemo = Map<number, Promise<KeyObject>>;

/**
 * HMAC on `mac` keys: the MAC with the primary (or `keyVersion` ≥ minEncryptionVersion), and
 * verification compared in constant time with the version asked for, the one a MAC string names,
 * or every verifiable version newest first. The batch forms read the key and each version's
 * material once.
 */
export class MacOperations {
  constructor(
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
  ) {}

  async mac(tenantId: string, keyId: string, message: Uint8Array, keyVersion?: number): Promise<MacResult> {
    const [outcome] = await this.macs(tenantId, keyId, [{ message }], keyVersion);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  macBatch(tenantId: string, keyId: string, items: readonly { readonly message: Uint8Array }[], keyVersion?: number): Promise<BatchOutcome<MacResult>[]> {
    return this.macs(tenantId, keyId, items, keyVersion);
  }

  async verifyMac(tenantId: string, keyId: string, item: VerifyMacItem): Promise<VerifyMacResult> {
    return this.check(lookupKey(this.views, tenantId, keyId), new Map(), item);
  }

  async verifyMacBatch(tenantId: string, keyId: string, items: readonly VerifyMacItem[]): Promise<BatchOutcome<VerifyMacResult>[]> {
    const key = lookupKey(this.views, tenantId, keyId);
    const memo: SecretMemo = new Map();
    return settleAll(items, (item) => this.check(key, memo, item));
  }

  private async macs(tenantId: string, keyId: string, items: readonly { readonly message: Uint8Array }[], keyVersion?: number): Promise<BatchOutcome<MacResult>[]> {
    const key = lookupKey(this.views, tenantId, keyId);
    const version = authorizeKeyUse(key, { tenantId, keyId, operation: 'mac', version: keyVersion });
    const secret = (await this.retrieval.secret(key, version)).key.secretKey;
    const algorithm = key.algorithm as KeyMacAlgorithm;
    const kid = kidOf(keyId, version.version);
    return settleAll(items, async (item) => {
      const mac = computeMac(algorithm, secret, item.message);
      return { mac, keyVersion: version.version, kid, algorithm, macString: macStringOf(kid, mac) };
    });
  }

  private async check(key: ExistingKeyState, memo: SecretMemo, item: VerifyMacItem): Promise<VerifyMacResult> {
    let mac: Uint8Array;
    let asked: number | undefined;
    if ('macString' in item) {
      const parsed = parseMacString(item.macString);
      if (parsed.keyId !== key.keyId) throw new KeyOperationError('INVALID_MAC_INPUT', `The MAC string names another key than ${key.keyId}`);
      mac = parsed.mac;
      asked = parsed.version;
    } else {
      mac = item.mac;
      asked = item.keyVersion;
    }
    const algorithm = key.algorithm as KeyMacAlgorithm;
    if (asked !== undefined) {
      const version = authorizeKeyUse(key, { tenantId: key.tenantId, keyId: key.keyId, operation: 'verify-mac', version: asked });
      const valid = macMatches(algorithm, await this.secretOf(key, memo, version.version), item.message, mac);
      return valid ? { valid, keyVersion: version.version } : { valid, keyVersion: version.version };
    }
    // Newest first, each verifiable version at most once (the key's state is checked by the first).
    for (let v = key.primaryVersion; v >= Math.max(key.minDecryptionVersion, key.minAvailableVersion); v--) {
      const version = authorizeKeyUse(key, { tenantId: key.tenantId, keyId: key.keyId, operation: 'verify-mac', version: v });
      if (macMatches(algorithm, await this.secretOf(key, memo, version.version), item.message, mac)) return { valid: true, keyVersion: v };
    }
    return { valid: false };
  }

  private secretOf(key: ExistingKeyState, memo: SecretMemo, version: number): Promise<KeyObject> {
    let secret = memo.get(version);
    if (secret === undefined) {
      const found = key.versions[version - 1];
      secret = this.retrieval.secret(key, found).then((r) => r.key.secretKey);
      memo.set(version, secret);
    }
    return secret;
  }
}
