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
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_EVENTS_FILE, DEFAULT_READ_MODELS_FILE, LocalKmsProvider, SqliteEventStore, SqliteReadModels } from '@keyledger/adapters';
import { KeyViews } from '@keyledger/key-operations';
import { READ_MODEL_SCHEMA_VERSION, keyMaterialStream, keyStream, signerRegistryStream, type AppendResult } from '@keyledger/kms-domain';
import { PERIOD_DAYS, PRIMARY_SPREAD_DAYS, keyEvents, type KeyEvents, type StoreSpec } from './key-events';

export { tenantName, type StoreSpec } from './key-events';

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

/** A cached store older than this would start to hold overdue keys: it is made again. */
const MAX_CACHE_AGE_MS = (PERIOD_DAYS - PRIMARY_SPREAD_DAYS) * 86_400_000;
/** Keys per chunk of concurrently submitted appends (3 appends per key at most). */
const CHUNK_KEYS = 2000;

function validate(spec: StoreSpec): void {
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!whole(spec.keys, 1) || !whole(spec.versions, 1) || !whole(spec.tenants, 1) || !(spec.signing >= 0 && spec.signing <= 1)) {
    throw new Error('expected --keys >= 1, --versions >= 1, --tenants >= 1 (whole numbers) and --signing in 0..1');
  }
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
