/**
 * Generates a large embedded keyledger data directory for the `scale` bench: the SQLite event store
 * (`keyledger-events.sqlite`), its read models (`keyledger-views.sqlite`, the API's default
 * VIEWS_FILE) and the local provider's master key, all made through the project's own libs, so the
 * API opens it as one it wrote itself.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/scale/generate-store.ts \
 *     --keys 100000 --versions 5 --signing 0.2 --tenants 10000 --out tmp/bench/scale/my-store
 *
 * Each key gets `versions` versions, each with real material: fresh material as the API makes it
 * (`generateMaterial`'s 32 random bytes for AES-256-GCM, a fresh PKCS#8 P-256 key for signing keys),
 * wrapped by the real `LocalKmsProvider` under the version's own encryption context
 * (`materialContext`) and recorded as `KeyMaterialWrapped` on the key's material stream, exactly as
 * the API provisions it; so every generated key can be used (signed with, rotated, decrypted).
 * The lifecycle events (`KeyCreated`, then `KeyRotated` per further version) come from the Key
 * decider, and each signing key version is registered in the signer registry through the
 * registry's decider (`SignerRegistered`), as the API's signer follower would. Dates are those of a
 * fleet rotated on schedule: key i's primary version is i/keys × 60 days old at generation and each
 * earlier version one 90-day rotation period older, so no key is overdue for 30 days after the
 * store was made (`cachedStore` remakes older ones) and every key predates any run.
 *
 * Writes go through `SqliteEventStore.append` with expected revisions: the appends of a chunk of
 * keys are submitted together and the store's group commit puts up to `maxBatch` of them into one
 * transaction (synchronous=NORMAL for the generator's connection only). The read models are then
 * built by `KeyViews` over `SqliteReadModels`, the runner the API starts, and left at the head
 * position, so an API started on the directory resumes without replaying. Progress goes to stderr.
 * Per key: 2·versions events (+ versions for a signing key): 1.1M events at 100k keys, 5 versions,
 * 20% signing.
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_EVENTS_FILE, DEFAULT_READ_MODELS_FILE, LocalKmsProvider, SqliteEventStore, SqliteReadModels } from '@keyledger/adapters';
import { KeyViews, generateMaterial, kidOf, materialContext } from '@keyledger/key-operations';
import {
  DEFAULT_ALGORITHM,
  READ_MODEL_SCHEMA_VERSION,
  keyDecider,
  keyMaterialStream,
  keyStream,
  signerRegistryDecider,
  signerRegistryStream,
  type AppendResult,
  type DomainEvent,
  type KeyAlgorithm,
  type KeyCommand,
  type KeyMaterialWrapped,
  type KeyPurpose,
  type KeySigningAlgorithm,
  type KeyState,
  type NewEvent,
} from '@keyledger/kms-domain';

/** What to generate. */
export interface StoreSpec {
  readonly keys: number;
  readonly versions: number;
  /** Share of the keys that are ECDSA P-256 signing keys (0..1), spread evenly over the key indexes. */
  readonly signing: number;
  /** Keys are dealt round-robin to this many tenants (`t000000`, `t000001`, ...). */
  readonly tenants: number;
}

/** What a generated directory holds, written beside it as `scale-store.json`. */
export interface GeneratedStore {
  readonly spec: StoreSpec;
  readonly dir: string;
  readonly events: number;
  readonly signingKeys: number;
  readonly seconds: number;
  /** When it was made (ms since the epoch): the keys' dates are relative to it. */
  readonly generatedAt: number;
  readonly material: string;
  readonly generator: number;
  readonly readModelSchema: number;
}

/** Bumped whenever the generator writes something else: cached stores of an older generator are remade. */
export const GENERATOR_VERSION = 2;
export const MANIFEST_FILE = 'scale-store.json';
export const MATERIAL_NOTE = 'real material per version, wrapped by the local provider under its own context';

const ACTOR = 'service:scale-generator';
const DAY_MS = 86_400_000;
/** The keys' rotation period (the domain's default) and how old the oldest primary version is. */
const PERIOD_DAYS = 90;
const PRIMARY_SPREAD_DAYS = 60;
/** A cached store older than this would start to hold overdue keys: it is made again. */
const MAX_CACHE_AGE_MS = (PERIOD_DAYS - PRIMARY_SPREAD_DAYS) * DAY_MS;
/** Keys per chunk of concurrently submitted appends (3 appends per key at most). */
const CHUNK_KEYS = 2000;

/** Tenant id of tenant number `n`. */
export const tenantName = (n: number): string => `t${String(n).padStart(6, '0')}`;

/** Whether key `i` of a store with this signing share is a signing key (spread evenly). */
export const isSigningKey = (i: number, share: number): boolean => Math.floor((i + 1) * share) > Math.floor(i * share);

/** Events a store of this spec holds right after generation. */
export function expectedEvents(spec: StoreSpec): number {
  let signing = 0;
  for (let i = 0; i < spec.keys; i++) if (isSigningKey(i, spec.signing)) signing++;
  return spec.keys * 2 * spec.versions + signing * spec.versions;
}

function validate(spec: StoreSpec): void {
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!whole(spec.keys, 1) || !whole(spec.versions, 1) || !whole(spec.tenants, 1) || !(spec.signing >= 0 && spec.signing <= 1)) {
    throw new Error('expected --keys >= 1, --versions >= 1, --tenants >= 1 (whole numbers) and --signing in 0..1');
  }
}

function metadataOf(at: Date, correlationId: string): NewEvent['metadata'] {
  return { eventId: randomUUID(), occurredAt: at.toISOString(), actor: ACTOR, correlationId, causationId: null };
}

function toNew(events: readonly DomainEvent<string, object, number>[], at: Date, correlationId: string): NewEvent[] {
  return events.map((e) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: metadataOf(at, correlationId) }));
}

/**
 * A version's secret material as the API makes it (`generateMaterial`); for signing keys the pair is
 * generated here the same way (P-256, PKCS#8 DER), keeping its public half for the signer registry:
 * re-parsing the PKCS#8 to derive it cost about 1 ms a key.
 */
function materialOf(algorithm: KeyAlgorithm): { plaintext: Buffer; publicKey: string | null } {
  if (algorithm !== 'ECDSA_P256_SHA256') return { plaintext: generateMaterial(algorithm), publicKey: null };
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { plaintext: pair.privateKey.export({ type: 'pkcs8', format: 'der' }), publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

interface KeyEvents {
  readonly tenantId: string;
  readonly keyId: string;
  readonly material: NewEvent[];
  readonly lifecycle: NewEvent[];
  readonly signers: NewEvent[];
}

/** One key's events: material per version wrapped by the provider, lifecycle by the decider, signers by the registry's decider. */
async function keyEvents(provider: LocalKmsProvider, spec: StoreSpec, i: number, generatedAt: number): Promise<KeyEvents> {
  const tenantId = tenantName(i % spec.tenants);
  const keyId = `k${i}.${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const purpose: KeyPurpose = isSigningKey(i, spec.signing) ? 'sign' : 'encrypt';
  const algorithm = DEFAULT_ALGORITHM[purpose] as KeyAlgorithm;
  const correlationId = `scale-${i}`;
  const out: KeyEvents = { tenantId, keyId, material: [], lifecycle: [], signers: [] };
  let state: KeyState = keyDecider.initialState();
  for (let version = 1; version <= spec.versions; version++) {
    const primaryAt = generatedAt - Math.floor((i / spec.keys) * PRIMARY_SPREAD_DAYS * DAY_MS) - 1000;
    const now = new Date(primaryAt - (spec.versions - version) * PERIOD_DAYS * DAY_MS);
    const { plaintext, publicKey } = materialOf(algorithm);
    const context = materialContext(tenantId, keyId, version);
    try {
      const wrapped = await provider.encrypt(plaintext, context);
      const sha = createHash('sha256').update(wrapped).digest('hex');
      const wrappedEvent: KeyMaterialWrapped = {
        type: 'KeyMaterialWrapped',
        schemaVersion: 1,
        data: { tenantId, keyId, version, wrappedMaterial: Buffer.from(wrapped).toString('base64'), wrappedMaterialSha256: sha, masterKeyRef: provider.masterKeyId, encryptionContext: context, wrappedAt: now.toISOString() },
      };
      out.material.push(...toNew([wrappedEvent], now, correlationId));
      const material = { mode: 'wrapped', wrappedMaterialSha256: sha, masterKeyRef: provider.masterKeyId } as const;
      const command: KeyCommand =
        version === 1
          ? { type: 'CreateKey', tenantId, keyId, now, purpose, algorithm, provider: provider.kind, mode: 'wrapped', rotationPeriodDays: PERIOD_DAYS, material }
          : { type: 'RotateKey', tenantId, keyId, now, reason: 'scheduled', material };
      const decided = keyDecider.decide(command, state);
      state = decided.reduce((s, e) => keyDecider.evolve(s, e), state);
      out.lifecycle.push(...toNew(decided, now, correlationId));
      if (publicKey !== null) {
        // The registry's decider on a registry of this one (fresh) kid, as the API's writer applies it.
        const registered = signerRegistryDecider.decide(
          { type: 'RegisterSigner', kid: kidOf(keyId, version), publicKey, algorithm: algorithm as KeySigningAlgorithm, owner: { kind: 'key-version', tenantId, keyId, version }, validFrom: now, validUntil: null, now },
          { signers: {} },
        );
        out.signers.push(...toNew(registered, now, 'signer-registry'));
      }
    } finally {
      plaintext.fill(0);
    }
  }
  return out;
}

/**
 * Generates the store of `spec` into `dir` (emptied first) and returns its manifest. `progress`
 * receives one line now and then (stderr in the CLI).
 */
export async function generateStore(spec: StoreSpec, dir: string, progress: (line: string) => void = () => undefined): Promise<GeneratedStore> {
  validate(spec);
  const started = performance.now();
  const generatedAt = Date.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const provider = await LocalKmsProvider.create({ dataDir: dir, warn: () => undefined });
  const store = SqliteEventStore.open({ dataDir: dir, synchronous: 'NORMAL', maxBatch: CHUNK_KEYS * 3 });
  let signingKeys = 0;
  try {
    const registry = signerRegistryStream();
    let lastReport = 0;
    for (let from = 0; from < spec.keys; from += CHUNK_KEYS) {
      const to = Math.min(spec.keys, from + CHUNK_KEYS);
      const keys: KeyEvents[] = [];
      for (let i = from; i < to; i++) keys.push(await keyEvents(provider, spec, i, generatedAt));
      // Submitted together: the group commit writes them in a few large transactions.
      const appends: Promise<AppendResult>[] = [];
      for (const k of keys) {
        appends.push(store.append(keyMaterialStream(k.tenantId, k.keyId), k.material, { expectedRevision: 'no-stream' }));
        appends.push(store.append(keyStream(k.tenantId, k.keyId), k.lifecycle, { expectedRevision: 'no-stream' }));
        if (k.signers.length > 0) {
          signingKeys++;
          appends.push(store.append(registry, k.signers));
        }
      }
      await Promise.all(appends);
      if (performance.now() - lastReport > 2000 || to === spec.keys) {
        lastReport = performance.now();
        progress(`events: ${to}/${spec.keys} keys written (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      }
    }
  } finally {
    await store.close();
    await provider.close();
  }
  const events = await buildReadModels(dir, progress, started);
  const manifest: GeneratedStore = {
    spec,
    dir,
    events,
    signingKeys,
    seconds: (performance.now() - started) / 1000,
    generatedAt,
    material: MATERIAL_NOTE,
    generator: GENERATOR_VERSION,
    readModelSchema: READ_MODEL_SCHEMA_VERSION,
  };
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  progress(`done: ${events} events, ${spec.keys} keys (${signingKeys} signing) in ${manifest.seconds.toFixed(1)} s`);
  return manifest;
}

/** Builds the read models as the API does (KeyViews over SqliteReadModels at the default VIEWS_FILE); returns the head position. */
async function buildReadModels(dir: string, progress: (line: string) => void, started: number): Promise<number> {
  const store = SqliteEventStore.open({ dataDir: dir });
  const models = new SqliteReadModels(join(dir, DEFAULT_READ_MODELS_FILE));
  try {
    const views = new KeyViews(store, models);
    let lastReport = 0;
    await views.rebuild(({ applied, head }) => {
      if (performance.now() - lastReport < 2000 && applied < head) return;
      lastReport = performance.now();
      progress(`read models: ${applied}/${head} events folded (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    });
    const head = await store.headPosition();
    if (views.appliedPosition() !== head) throw new Error(`the read models stopped at ${views.appliedPosition()} of ${head}`);
    return head;
  } finally {
    models.close();
    await store.close();
  }
}

/**
 * The cached store of `spec` under `root` (tmp/bench/scale by default), generating it when missing,
 * made by another generator or read-model schema version, or 30 days old. The directory name
 * carries the spec.
 */
export async function cachedStore(spec: StoreSpec, root: string, progress: (line: string) => void = () => undefined): Promise<GeneratedStore> {
  const dir = join(root, `keys${spec.keys}-v${spec.versions}-sign${spec.signing}-tenants${spec.tenants}`);
  const manifestFile = join(dir, MANIFEST_FILE);
  if (existsSync(manifestFile)) {
    const found = JSON.parse(readFileSync(manifestFile, 'utf8')) as GeneratedStore;
    const fresh = Date.now() - found.generatedAt < MAX_CACHE_AGE_MS;
    if (fresh && found.generator === GENERATOR_VERSION && found.readModelSchema === READ_MODEL_SCHEMA_VERSION && existsSync(join(dir, DEFAULT_EVENTS_FILE))) {
      progress(`using the cached store ${dir} (${found.events} events)`);
      return { ...found, dir };
    }
  }
  progress(`generating ${dir}`);
  return generateStore(spec, dir, progress);
}

function parseCli(argv: readonly string[]): { spec: StoreSpec; out: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!['--keys', '--versions', '--signing', '--tenants', '--out'].includes(name) || value === undefined) {
      throw new Error(`usage: generate-store.ts --keys N [--versions 5] [--signing 0.2] [--tenants keys/10] --out DIR (got ${name})`);
    }
    values.set(name, value);
  }
  const keys = Number(values.get('--keys') ?? NaN);
  const out = values.get('--out');
  if (out === undefined) throw new Error('--out DIR is required');
  const spec = { keys, versions: Number(values.get('--versions') ?? 5), signing: Number(values.get('--signing') ?? 0.2), tenants: Number(values.get('--tenants') ?? Math.max(1, Math.ceil(keys / 10))) };
  return { spec, out: resolve(out) };
}

if (require.main === module) {
  (async () => {
    const { spec, out } = parseCli(process.argv.slice(2));
    const made = await generateStore(spec, out, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${JSON.stringify(made)}\n`);
  })().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
