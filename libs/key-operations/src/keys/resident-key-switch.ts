import type { ExistingKeyState, KmsCallOptions, KmsProvider } from '@keyledger/kms-domain';

/**
 * What a provider offers to switch a provider-resident key's use inside the provider itself (the
 * PKCS#11 provider: CKA_SIGN on the private key). Providers without it (AWS, local) rely on
 * keyledger refusing a disabled key.
 */
export interface ResidentKeySwitch {
  setKeyEnabled(keyId: string, enabled: boolean, options?: KmsCallOptions): Promise<void>;
}

/** The provider's resident-key switch, or null when it has none. */
export function residentKeySwitchOf(provider: KmsProvider): ResidentKeySwitch | null {
  const candidate = provider as KmsProvider & Partial<ResidentKeySwitch>;
  return typeof candidate.setKeyEnabled === 'function' ? (candidate as KmsProvider & ResidentKeySwitch) : null;
}

/** Provider key refs of a key's provider-resident versions (every version, retired ones included). */
export function residentRefs(key: ExistingKeyState): string[] {
  return key.versions.flatMap((v) => (v.material.mode === 'provider-resident' ? [v.material.providerKeyRef] : []));
}
