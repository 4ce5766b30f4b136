import type { KmsProvider } from '@keyledger/kms-domain';
import { AwsKmsProvider, type AwsKmsOptions } from './aws/aws-kms-provider';
import { LocalKmsProvider, type LocalKmsOptions } from './local/local-kms-provider';
import { Pkcs11KmsProvider, type Pkcs11KmsOptions } from './pkcs11/pkcs11-kms-provider';
import { kmsError } from './shared/kms-errors';

/** Which provider to start and its settings (`KMS_PROVIDER` and the provider's variables). */
export type KmsProviderSelection =
  | { readonly provider: 'local'; readonly local: LocalKmsOptions }
  | { readonly provider: 'aws'; readonly aws: AwsKmsOptions }
  | { readonly provider: 'pkcs11'; readonly pkcs11: Pkcs11KmsOptions };

export type KmsProviderConfig = KmsProviderSelection & {
  /** `REQUIRE_KMS`: when true the local development provider is refused. */
  readonly requireKms: boolean;
};

/**
 * Starts the configured provider. Fails closed: the local provider is refused when `requireKms`
 * is set (KMS_LOCAL_PROVIDER_REFUSED), and a provider that cannot start throws; there is never a
 * fallback to another provider.
 */
export async function createKmsProvider(config: KmsProviderConfig): Promise<KmsProvider> {
  switch (config.provider) {
    case 'local':
      if (config.requireKms) {
        throw kmsError('local', 'start', 'KMS_LOCAL_PROVIDER_REFUSED', 'REQUIRE_KMS=true forbids KMS_PROVIDER=local; configure aws or pkcs11');
      }
      return LocalKmsProvider.create(config.local);
    case 'aws':
      return AwsKmsProvider.create(config.aws);
    case 'pkcs11':
      return Pkcs11KmsProvider.create(config.pkcs11);
    default: {
      const unknown: never = config;
      throw new Error(`unknown KMS provider ${String((unknown as { provider: unknown }).provider)}`);
    }
  }
}
