import { DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { expectKmsError, kmsProviderContract } from '../testing/kms-provider-contract';
import { startKmsTestServerProcess, type KmsTestServerProcess } from '../testing/kms-test-server-process';
import { AwsKmsProvider } from './aws-kms-provider';

// The AWS adapter against tools/kms-test-server, started with its documented command.
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let server: KmsTestServerProcess;
let admin: KMSClient;

beforeAll(async () => {
  server = await startKmsTestServerProcess(['--alias', 'alias/keyledger-master']);
  admin = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}, 40_000);
afterAll(async () => {
  admin?.destroy();
  await server?.stop();
});

/** The key id behind an alias (or the id itself), as DescribeKey resolves it. */
const keyIdOf = async (keyIdOrAlias: string): Promise<string> => {
  const { KeyMetadata } = await admin.send(new DescribeKeyCommand({ KeyId: keyIdOrAlias }));
  if (KeyMetadata?.KeyId === undefined) throw new Error(`DescribeKey ${keyIdOrAlias} gave no key id`);
  return KeyMetadata.KeyId;
};

const create = () => AwsKmsProvider.create({ masterKeyId: 'alias/keyledger-master', region: 'us-east-1', endpoint: server.url, credentials });

kmsProviderContract('aws (kms-test-server)', async () => {
  const provider = await create();
  return {
    provider,
    unknownKeyId: '6f1c0b4e-0000-4000-8000-000000000000',
    // DisableKey and EnableKey take a key id or key ARN, never an alias (the master key is named by its alias).
    disableKey: async (keyId) => void (await admin.send(new DisableKeyCommand({ KeyId: await keyIdOf(keyId) }))),
    enableKey: async (keyId) => void (await admin.send(new EnableKeyCommand({ KeyId: await keyIdOf(keyId) }))),
    close: () => provider.close(),
  };
});

describe('AWS provider configuration', () => {
  it('refuses to start without a master key id or a region', async () => {
    await expectKmsError(AwsKmsProvider.create({ masterKeyId: '', region: 'us-east-1' }), 'KMS_MISCONFIGURED');
    await expectKmsError(AwsKmsProvider.create({ masterKeyId: 'alias/x', region: '' }), 'KMS_MISCONFIGURED');
  });

  it('reports an unknown master key as KMS_KEY_NOT_FOUND, and as a down health probe', async () => {
    const provider = await AwsKmsProvider.create({ masterKeyId: 'alias/missing', region: 'us-east-1', endpoint: server.url, credentials });
    await expectKmsError(provider.generateDataKey({}), 'KMS_KEY_NOT_FOUND');
    expect(await provider.healthProbe()).toMatchObject({ status: 'down', code: 'KMS_KEY_NOT_FOUND' });
    await provider.close();
  });

  it('reports a refused connection as a transient network error', async () => {
    const provider = await AwsKmsProvider.create({ masterKeyId: 'alias/x', region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials });
    const error = await expectKmsError(provider.describeKey(), 'KMS_NETWORK');
    expect(error).toMatchObject({ transient: true, providerCode: 'ECONNREFUSED' });
    await provider.close();
  });
});
