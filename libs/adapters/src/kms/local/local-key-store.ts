import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AsymmetricKeySpec } from '@keyledger/kms-domain';
import { kmsError } from '../shared/kms-errors';

/** File name of the local provider's key list (resident keys and key states) under the data directory. */
export const LOCAL_KEY_STORE_FILE = 'local-kms-keys.json';

/** States the local provider models; an operator switches them with `LocalKmsProvider#setKeyState`. */
export type LocalKeyState = 'Enabled' | 'Disabled';

/** A provider-resident key; the private key is kept wrapped under the master key. */
export interface LocalResidentKey {
  readonly keyId: string;
  readonly spec: AsymmetricKeySpec;
  readonly state: LocalKeyState;
  readonly createdAt: string;
  /** DER SPKI, base64. */
  readonly publicKey: string;
  /** Sealed PKCS#8 private key, base64. */
  readonly wrappedPrivateKey: string;
}

interface StoreFile {
  readonly version: 1;
  readonly masterKeyState: LocalKeyState;
  readonly keys: readonly LocalResidentKey[];
}

/**
 * The local provider's small key database: a JSON file (mode 0600) under the data directory, or
 * memory only when there is none. Writes replace the file atomically and run one at a time.
 */
export class LocalKeyStore {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string | undefined,
    private data: StoreFile,
  ) {}

  static async open(dataDir: string | undefined): Promise<LocalKeyStore> {
    const path = dataDir === undefined ? undefined : join(dataDir, LOCAL_KEY_STORE_FILE);
    return new LocalKeyStore(path, path === undefined ? emptyStore() : await readStore(path));
  }

  get masterKeyState(): LocalKeyState {
    return this.data.masterKeyState;
  }

  find(keyId: string): LocalResidentKey | undefined {
    return this.data.keys.find((key) => key.keyId === keyId);
  }

  async add(key: LocalResidentKey): Promise<void> {
    await this.update({ ...this.data, keys: [...this.data.keys, key] });
  }

  async setMasterKeyState(state: LocalKeyState): Promise<void> {
    await this.update({ ...this.data, masterKeyState: state });
  }

  async setKeyState(keyId: string, state: LocalKeyState): Promise<void> {
    await this.update({ ...this.data, keys: this.data.keys.map((key) => (key.keyId === keyId ? { ...key, state } : key)) });
  }

  private update(next: StoreFile): Promise<void> {
    this.data = next;
    const path = this.path;
    if (path === undefined) return Promise.resolve();
    const write = this.writes.then(() => writeStore(path, next));
    this.writes = write.catch(() => undefined);
    return write;
  }
}

function emptyStore(): StoreFile {
  return { version: 1, masterKeyState: 'Enabled', keys: [] };
}

async function readStore(path: string): Promise<StoreFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyStore();
    throw kmsError('local', 'start', 'KMS_MISCONFIGURED', `cannot read ${path}`);
  }
  const parsed = parseJson(text);
  if (parsed === undefined || parsed.version !== 1 || !Array.isArray(parsed.keys)) {
    throw kmsError('local', 'start', 'KMS_MISCONFIGURED', `${path} is not a local KMS key store`);
  }
  return { version: 1, masterKeyState: parsed.masterKeyState === 'Disabled' ? 'Disabled' : 'Enabled', keys: parsed.keys };
}

function parseJson(text: string): Partial<StoreFile> | undefined {
  try {
    return JSON.parse(text) as Partial<StoreFile>;
  } catch {
    return undefined;
  }
}

async function writeStore(path: string, data: StoreFile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(data, null, 2), { mode: 0o600 });
  await rename(temporary, path);
}
