import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListKeysCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { SUPPORTED_OPERATIONS } from './operations';
import { startKmsTestServer, type KmsTestServer } from './server';

let server: KmsTestServer;
let kms: KMSClient;

beforeAll(async () => {
  server = await startKmsTestServer({ aliases: ['alias/master'] });
  kms = new KMSClient({ endpoint: server.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  kms.destroy();
  await server.close();
});

/** The AWS exception name and HTTP status the SDK reports for a failed call. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const error = (await call.then(() => undefined, (e: unknown) => e)) as { name: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (error === undefined) throw new Error('expected the call to fail');
  return { name: error.name, status: error.$metadata?.httpStatusCode };
}

const ctx = { tenantId: 't-1', purpose: 'wrap' };
const must = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error('the response lacks a field');
  return value;
};

describe('kms-test-server through @aws-sdk/client-kms', () => {
  it('implements the operations keyledger and its drills need', () => {
    expect([...SUPPORTED_OPERATIONS].sort()).toEqual(
      ['CancelKeyDeletion', 'CreateAlias', 'CreateKey', 'Decrypt', 'DescribeKey', 'DisableKey', 'EnableKey', 'Encrypt', 'GenerateDataKey',
        'GenerateDataKeyWithoutPlaintext', 'GetPublicKey', 'ListKeys', 'ReEncrypt', 'ScheduleKeyDeletion', 'Sign', 'Verify'].sort(),
    );
  });

  it('generates data keys under an alias and decrypts them only with the same context', async () => {
    const out = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/master', KeySpec: 'AES_256', EncryptionContext: ctx }));
    expect(out.Plaintext).toHaveLength(32);
    expect(out.KeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { purpose: 'wrap', tenantId: 't-1' } }));
    expect(Buffer.from(must(back.Plaintext))).toEqual(Buffer.from(must(out.Plaintext)));
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { tenantId: 't-2', purpose: 'wrap' } })))).toEqual({
      name: 'InvalidCiphertextException',
      status: 400,
    });
    const bare = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: 'alias/master', NumberOfBytes: 64 }));
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: bare.CiphertextBlob }))).Plaintext).toHaveLength(64);
  });

  it('encrypts, re-encrypts under another key and context, and refuses the wrong KeyId on decrypt', async () => {
    const other = await kms.send(new CreateKeyCommand({}));
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/master', Plaintext: Buffer.from('hello'), EncryptionContext: ctx }));
    const re = await kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ctx, DestinationKeyId: must(other.KeyMetadata).Arn, DestinationEncryptionContext: { b: '2' } }));
    expect(re.KeyId).toBe(must(other.KeyMetadata).Arn);
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { b: '2' }, KeyId: must(other.KeyMetadata).KeyId }));
    expect(Buffer.from(must(out.Plaintext)).toString()).toBe('hello');
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { b: '2' }, KeyId: 'alias/master' })))).name).toBe('IncorrectKeyException');
    expect((await failure(kms.send(new EncryptCommand({ KeyId: 'alias/master', Plaintext: new Uint8Array(4097) })))).name).toBe('ValidationException');
  });

  it('signs and verifies with ECC_NIST_P256 keys, RAW and DIGEST, with a DER SPKI public key', async () => {
    const created = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const KeyId = must(must(created.KeyMetadata).KeyId);
    const message = Buffer.from('sign me');
    const digest = createHash('sha256').update(message).digest();
    const raw = await kms.send(new SignCommand({ KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    const dig = await kms.send(new SignCommand({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId }));
    const publicKey = createPublicKey({ key: Buffer.from(must(PublicKey)), format: 'der', type: 'spki' });
    for (const signature of [must(raw.Signature), must(dig.Signature)]) expect(verify('sha256', message, publicKey, signature)).toBe(true);
    const ok = await kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: raw.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(ok.SignatureValid).toBe(true);
    const bad = kms.send(new VerifyCommand({ KeyId, Message: Buffer.from('other'), MessageType: 'RAW', Signature: raw.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect((await failure(bad)).name).toBe('KMSInvalidSignatureException');
    expect((await failure(kms.send(new SignCommand({ KeyId: 'alias/master', Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })))).name).toBe(
      'InvalidKeyUsageException',
    );
  });

  it('disables, enables, schedules and cancels deletion with AWS state rules', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'drill' }));
    const KeyId = must(must(KeyMetadata).KeyId);
    await kms.send(new DisableKeyCommand({ KeyId }));
    expect(await failure(kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' })))).toEqual({ name: 'DisabledException', status: 400 });
    await kms.send(new EnableKeyCommand({ KeyId }));
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    expect(scheduled.KeyState).toBe('PendingDeletion');
    expect((await failure(kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.of(1) })))).name).toBe('KMSInvalidStateException');
    expect((await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 3 })))).name).toBe('ValidationException');
    await kms.send(new CancelKeyDeletionCommand({ KeyId }));
    const described = await kms.send(new DescribeKeyCommand({ KeyId }));
    expect(described.KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false, Description: 'drill', KeyUsage: 'ENCRYPT_DECRYPT' });
    expect(must(described.KeyMetadata).CreationDate).toBeInstanceOf(Date);
  });

  it('refuses an alias name or alias ARN in the key-state operations with NotFoundException, as AWS does, and leaves the key as it was', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'aliased' }));
    const KeyId = must(must(KeyMetadata).KeyId);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/state-ops', TargetKeyId: KeyId }));
    for (const alias of ['alias/state-ops', 'arn:aws:kms:us-east-1:111122223333:alias/state-ops']) {
      expect(await failure(kms.send(new DisableKeyCommand({ KeyId: alias })))).toEqual({ name: 'NotFoundException', status: 400 });
      expect(await failure(kms.send(new EnableKeyCommand({ KeyId: alias })))).toEqual({ name: 'NotFoundException', status: 400 });
      expect(await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: alias, PendingWindowInDays: 7 })))).toEqual({ name: 'NotFoundException', status: 400 });
      expect(await failure(kms.send(new CancelKeyDeletionCommand({ KeyId: alias })))).toEqual({ name: 'NotFoundException', status: 400 });
    }
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/state-ops' }))).KeyMetadata).toMatchObject({ KeyId, KeyState: 'Enabled' });
    // The key ARN works as the key id does.
    await kms.send(new DisableKeyCommand({ KeyId: must(must(KeyMetadata).Arn) }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState).toBe('Disabled');
  });

  it('lists keys with paging, creates aliases and reports unknown keys as NotFoundException', async () => {
    const page = await kms.send(new ListKeysCommand({ Limit: 1 }));
    expect(page.Keys).toHaveLength(1);
    expect(page.Truncated).toBe(true);
    const next = await kms.send(new ListKeysCommand({ Limit: 1, Marker: page.NextMarker }));
    expect(must(next.Keys)[0].KeyId).not.toBe(must(page.Keys)[0].KeyId);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/second', TargetKeyId: must(page.Keys)[0].KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:us-east-1:111122223333:alias/second' }))).KeyMetadata?.KeyId).toBe(must(page.Keys)[0].KeyId);
    expect((await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/second', TargetKeyId: must(page.Keys)[0].KeyId })))).name).toBe('AlreadyExistsException');
    expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })))).toEqual({ name: 'NotFoundException', status: 400 });
  });
});
