import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { disabled, invalidState, KmsApiError, notFound, unsupported, validation } from './aws-error';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';
export type KeySpec = 'SYMMETRIC_DEFAULT' | 'ECC_NIST_P256';

/** One KMS key with real material, held in memory for the life of the server. */
export interface KmsKey {
  readonly id: string;
  readonly arn: string;
  readonly usage: KeyUsage;
  readonly spec: KeySpec;
  readonly description: string;
  readonly created: Date;
  state: KeyState;
  deletionDate?: Date;
  readonly secret?: Buffer;
  readonly privateKey?: KeyObject;
  readonly publicKey?: KeyObject;
}

/** Keys and aliases of one fake account and region, resolved the way AWS resolves KeyId. */
export class KeyStore {
  private readonly keys = new Map<string, KmsKey>();
  private readonly aliases = new Map<string, string>();

  constructor(
    readonly region = 'us-east-1',
    readonly accountId = '111122223333',
  ) {}

  create(input: { spec?: string; usage?: string; description?: string }): KmsKey {
    const spec = input.spec ?? 'SYMMETRIC_DEFAULT';
    const usage = input.usage ?? (spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : undefined);
    if (spec !== 'SYMMETRIC_DEFAULT' && spec !== 'ECC_NIST_P256') throw unsupported(`kms-test-server supports SYMMETRIC_DEFAULT and ECC_NIST_P256, not ${spec}.`);
    if (spec === 'SYMMETRIC_DEFAULT' && usage !== 'ENCRYPT_DECRYPT') throw validation('SYMMETRIC_DEFAULT keys must have KeyUsage ENCRYPT_DECRYPT.');
    if (spec === 'ECC_NIST_P256' && usage !== 'SIGN_VERIFY') throw validation('ECC_NIST_P256 keys must have KeyUsage SIGN_VERIFY.');
    const id = randomUUID();
    const base = { id, arn: this.arn(`key/${id}`), usage: usage as KeyUsage, spec: spec as KeySpec, description: input.description ?? '', created: new Date(), state: 'Enabled' as const };
    const key: KmsKey = spec === 'SYMMETRIC_DEFAULT' ? { ...base, secret: randomBytes(32) } : { ...base, ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
    this.keys.set(id, key);
    return key;
  }

  createAlias(aliasName: string, targetKeyId: string): void {
    if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(aliasName) || aliasName.startsWith('alias/aws/')) throw validation(`Alias ${aliasName} is not valid.`);
    if (this.aliases.has(aliasName)) throw new KmsApiError('AlreadyExistsException', `An alias with the name ${this.arn(aliasName)} already exists.`);
    this.aliases.set(aliasName, this.resolve(targetKeyId).id);
  }

  list(): KmsKey[] {
    return [...this.keys.values()];
  }

  /** Finds a key by id, key ARN, alias name or alias ARN (NotFoundException otherwise). */
  resolve(keyId: unknown): KmsKey {
    if (typeof keyId !== 'string' || keyId.length === 0) throw validation('KeyId is required.');
    const prefix = `arn:aws:kms:${this.region}:${this.accountId}:`;
    const local = keyId.startsWith(prefix) ? keyId.slice(prefix.length) : keyId;
    const id = local.startsWith('alias/') ? this.aliases.get(local) : local.startsWith('key/') ? local.slice(4) : local;
    const key = id === undefined ? undefined : this.keys.get(id);
    if (key === undefined) throw notFound(`Key '${keyId}'`);
    return key;
  }

  /**
   * Finds a key by key id or key ARN only, as AWS does for EnableKey, DisableKey,
   * ScheduleKeyDeletion and CancelKeyDeletion: an alias name or alias ARN is NotFoundException
   * there, even when the alias exists.
   */
  resolveKeyOnly(keyId: unknown): KmsKey {
    if (typeof keyId !== 'string' || keyId.length === 0) throw validation('KeyId is required.');
    const prefix = `arn:aws:kms:${this.region}:${this.accountId}:`;
    const local = keyId.startsWith(prefix) ? keyId.slice(prefix.length) : keyId;
    if (local.startsWith('alias/')) throw notFound(`Key '${keyId}'`);
    return this.resolve(keyId);
  }

  /** Resolves a key that may be used now for `usage`: enabled, not pending deletion, right usage. */
  usable(keyId: unknown, usage: KeyUsage): KmsKey {
    return assertUsable(this.resolve(keyId), usage);
  }

  byId(id: string): KmsKey | undefined {
    return this.keys.get(id);
  }

  private arn(resource: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:${resource}`;
  }
}

export function assertUsable(key: KmsKey, usage: KeyUsage): KmsKey {
  if (key.state === 'Disabled') throw disabled(key.arn);
  if (key.state === 'PendingDeletion') throw invalidState(key.arn, 'pending deletion');
  if (key.usage !== usage) throw new KmsApiError('InvalidKeyUsageException', `${key.arn} key usage is ${key.usage}.`);
  return key;
}

/** DescribeKey's KeyMetadata (dates as epoch seconds, as the JSON 1.1 protocol sends them). */
export function keyMetadata(key: KmsKey, accountId: string): Record<string, unknown> {
  const signing = key.usage === 'SIGN_VERIFY';
  return {
    AWSAccountId: accountId,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: key.created.getTime() / 1000,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: key.state,
    ...(key.deletionDate ? { DeletionDate: key.deletionDate.getTime() / 1000 } : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    ...(signing ? { SigningAlgorithms: ['ECDSA_SHA_256'] } : { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }),
    MultiRegion: false,
  };
}
