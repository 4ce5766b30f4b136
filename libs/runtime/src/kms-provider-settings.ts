import type { ApiConfig } from './api-config';
import { ConfigError } from './env';
import type { KeyledgerConfig } from './keyledger-config';

/**
 * Which KMS provider to start and with what, from KMS_PROVIDER, REQUIRE_KMS and the provider's own
 * variables (LOCAL_KMS_MASTER_KEY, AWS_*, PKCS11_*). Shaped for the adapters' createKmsProvider;
 * both apps start their provider from it, so they cannot drift apart.
 */
export type KmsProviderSettings = { readonly requireKms: boolean } & (
  | { readonly provider: 'local'; readonly local: { dataDir: string; masterKeyBase64?: string; warn: (message: string) => void } }
  | { readonly provider: 'aws'; readonly aws: { masterKeyId: string; region: string; endpoint?: string } }
  | { readonly provider: 'pkcs11'; readonly pkcs11: Pkcs11Settings }
);

interface Pkcs11Settings {
  module: string;
  pin: string;
  slot?: number;
  tokenLabel?: string;
  masterKeyLabel?: string;
  createMasterKey: boolean;
}

/** The provider settings, or a ConfigError naming every missing variable. */
export function kmsProviderSettings(config: KeyledgerConfig, api: ApiConfig, warn: (message: string) => void): KmsProviderSettings {
  switch (config.kmsProvider) {
    case 'local':
      return { provider: 'local', requireKms: config.requireKms, local: { dataDir: config.dataDir, masterKeyBase64: api.localMasterKey, warn } };
    case 'aws':
      if (!api.awsMasterKeyId || !api.awsRegion) throw new ConfigError(['KMS_PROVIDER=aws needs AWS_KMS_MASTER_KEY_ID and AWS_REGION']);
      return { provider: 'aws', requireKms: config.requireKms, aws: { masterKeyId: api.awsMasterKeyId, region: api.awsRegion, endpoint: api.awsEndpoint } };
    case 'pkcs11':
      return { provider: 'pkcs11', requireKms: config.requireKms, pkcs11: pkcs11Settings(api) };
    default: {
      const unknown: never = config.kmsProvider;
      throw new ConfigError([`unknown KMS_PROVIDER ${String(unknown)}`]);
    }
  }
}

function pkcs11Settings(api: ApiConfig): Pkcs11Settings {
  const missing = [!api.pkcs11Module && 'PKCS11_MODULE', !api.pkcs11Pin && 'PKCS11_PIN', api.pkcs11Slot === undefined && !api.pkcs11TokenLabel && 'PKCS11_SLOT or PKCS11_TOKEN_LABEL'];
  const problems = missing.filter((m): m is string => typeof m === 'string');
  if (problems.length > 0) throw new ConfigError(problems.map((m) => `KMS_PROVIDER=pkcs11 needs ${m}`));
  return {
    module: api.pkcs11Module as string,
    pin: api.pkcs11Pin as string,
    ...(api.pkcs11Slot !== undefined ? { slot: api.pkcs11Slot } : {}),
    ...(api.pkcs11TokenLabel ? { tokenLabel: api.pkcs11TokenLabel } : {}),
    ...(api.pkcs11MasterKeyLabel ? { masterKeyLabel: api.pkcs11MasterKeyLabel } : {}),
    createMasterKey: api.pkcs11CreateMasterKey,
  };
}
