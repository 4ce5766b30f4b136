/**
 * Envelope encryption of 1 KiB through keyledger's service layer (createKeyOperations: key view,
 * cached AES-256 key, AES-256-GCM with the canonical context as associated data, `kl1.` format)
 * against @aws-crypto/client-node 5 with a NodeCachingMaterialsManager over a RawAesKeyringNode,
 * in the same process and the same run, rounds interleaved (median of the per-round rates).
 *
 *   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/envelope.bench.ts
 *
 * Baseline suite: ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY (committing, unsigned: the
 * closest to what keyledger does). The SDK's default suite adds an ECDSA P-384 signature per
 * message; it is printed for information, not used for the ratio. Target: ratio >= 2.
 *
 * Environment: BENCH_ROUNDS (default 7), BENCH_ENVELOPE_OPS (default 3000 per round).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  buildClient,
  getLocalCryptographicMaterialsCache,
} from '@aws-crypto/client-node';
import { InMemoryEventStore, LocalKmsProvider } from '@keyledger/adapters';
import { InMemoryReadModels } from '@keyledger/kms-domain';
import { createKeyOperations, noTelemetry } from '@keyledger/key-operations';
import { row, runStandalone, type BenchRow } from './bench-rows';

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 7);
const ops = Number(process.env['BENCH_ENVELOPE_OPS'] ?? 3000);
const plaintext = randomBytes(1024);
const context = { purpose: 'benchmark', tenant: 'bench', record: 'invoice-0001' };

type Encrypt = () => Promise<unknown>;

/** The service layer on an in-memory store and the local provider, with one AES key created and cached. */
async function keyledgerEncrypt(): Promise<{ encrypt: Encrypt; stop: () => Promise<void> }> {
  const provider = await LocalKmsProvider.create({ masterKeyBase64: randomBytes(32).toString('base64'), warn: () => undefined });
  const service = createKeyOperations({ readModels: new InMemoryReadModels(), store: new InMemoryEventStore(), provider, clock: { now: () => new Date() }, ids: { next: () => randomUUID() }, telemetry: noTelemetry });
  await service.start(0);
  const created = await service.lifecycle.create({ subject: 'bench', correlationId: 'bench' }, { tenantId: 'bench', name: 'envelope', purpose: 'encrypt' });
  const keyId = created.key.keyId;
  const sealed = await service.crypto.encrypt('bench', keyId, plaintext, context);
  const opened = await service.crypto.decrypt('bench', keyId, sealed.ciphertext, context);
  if (!opened.plaintext.equals(plaintext)) throw new Error('keyledger round trip failed');
  return { encrypt: () => service.crypto.encrypt('bench', keyId, plaintext, context), stop: () => service.stop() };
}

/** The AWS Encryption SDK with a caching materials manager over a raw AES keyring. */
async function awsSdkEncrypt(suiteId: AlgorithmSuiteIdentifier | undefined): Promise<Encrypt> {
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({ keyNamespace: 'keyledger-bench', keyName: 'aes', unencryptedMasterKey: randomBytes(32), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
  const cmm = new NodeCachingMaterialsManager({ backingMaterials: keyring, cache: getLocalCryptographicMaterialsCache(100), maxAge: 600_000, maxMessagesEncrypted: 2 ** 32 });
  const options = { encryptionContext: context, plaintextLength: plaintext.length, ...(suiteId !== undefined ? { suiteId } : {}) };
  const { result } = await encrypt(cmm, plaintext, options);
  const opened = await decrypt(cmm, result);
  if (!Buffer.from(opened.plaintext).equals(plaintext)) throw new Error('AWS SDK round trip failed');
  return () => encrypt(cmm, plaintext, options);
}

async function rate(fn: Encrypt, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Rows for `npm run bench`. */
export async function runEnvelopeBench(): Promise<BenchRow[]> {
  const ours = await keyledgerEncrypt();
  try {
    return await compare(ours.encrypt);
  } finally {
    await ours.stop();
  }
}

async function compare(keyledger: Encrypt): Promise<BenchRow[]> {
  const variants: [string, Encrypt][] = [
    ['keyledger', keyledger],
    ['aws-sdk committing, unsigned', await awsSdkEncrypt(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)],
    ['aws-sdk default suite (ECDSA P-384)', await awsSdkEncrypt(undefined)],
  ];
  const samples = variants.map(() => [] as number[]);
  for (const [, fn] of variants) await rate(fn, Math.ceil(ops / 3)); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [i, [name, fn]] of variants.entries()) samples[i]?.push(await rate(fn, name.includes('P-384') ? Math.ceil(ops / 10) : ops));
  }
  const [mine, sdk, sdkSigned] = samples.map(median) as [number, number, number];
  console.log(`node ${process.version}; 1 KiB plaintext, ${rounds} rounds of ${ops} encryptions (median)`);
  console.log(`keyledger service layer:            ${Math.round(mine)} ops/s`);
  console.log(`aws-crypto caching CMM (unsigned):   ${Math.round(sdk)} ops/s  ratio ${(mine / sdk).toFixed(2)}`);
  console.log(`aws-crypto caching CMM (default):    ${Math.round(sdkSigned)} ops/s  ratio ${(mine / sdkSigned).toFixed(2)} (information)`);
  return [
    row({ name: 'envelope encryption 1 KiB (service layer)', figure: mine, unit: 'ops/s', baseline: sdk, baselineName: '@aws-crypto/client-node caching CMM + raw AES keyring', target: 'ratio >= 2', pass: mine / sdk >= 2 }),
  ];
}

if (require.main === module) void runStandalone(runEnvelopeBench);
