import { join } from 'node:path';
import { kmsError } from '../shared/kms-errors';
import { DEFAULT_FILE_LOCK, withFileLock, type FileLockOptions } from './local-file-lock';
import {
  emptyStore,
  readStoreFile,
  statStamp,
  writeStoreFile,
  type LocalKeyState,
  type LocalResidentKey,
  type StoreFile,
  type StoreSnapshot,
} from './local-key-store-file';

export type { LocalKeyState, LocalResidentKey } from './local-key-store-file';

/** File name of the local provider's key list (resident keys and key states) under the data directory. */
export const LOCAL_KEY_STORE_FILE = 'local-kms-keys.json';
/** The cross-process lock taken around every write of {@link LOCAL_KEY_STORE_FILE}. */
export const LOCAL_KEY_STORE_LOCK_FILE = `${LOCAL_KEY_STORE_FILE}.lock`;

/** How stale the cached master key state may be on the wrap/unwrap path (one stat per period). */
export const MASTER_STATE_MAX_AGE_MS = 1_000;

/**
 * The local provider's small key database: a JSON file (mode 0600) under the data directory that
 * several processes may share (the API and the scheduler under `npm start`), or memory only when
 * there is none. Reads check the file's stamp and re-read it when another process changed it;
 * writes take the cross-process lock, re-read, apply one change and replace the file atomically,
 * so no process overwrites another's keys.
 */
export class LocalKeyStore {
  private data: StoreFile;
  private stamp: string | undefined;
  private checkedAt = 0;
  private generation = 0;
  private writes: Promise<unknown> = Promise.resolve();

  private readonly path: string | undefined;
  private readonly lockPath: string | undefined;

  private constructor(
    dataDir: string | undefined,
    private readonly lock: FileLockOptions,
    snapshot: StoreSnapshot,
  ) {
    this.path = dataDir === undefined ? undefined : join(dataDir, LOCAL_KEY_STORE_FILE);
    this.lockPath = dataDir === undefined ? undefined : join(dataDir, LOCAL_KEY_STORE_LOCK_FILE);
    this.data = snapshot.data;
    this.stamp = snapshot.stamp;
    this.checkedAt = Date.now();
  }

  /** Opens the store under `dataDir`, or an in-memory one without it. */
  static async open(dataDir: string | undefined, lock: FileLockOptions = DEFAULT_FILE_LOCK): Promise<LocalKeyStore> {
    if (dataDir === undefined) return new LocalKeyStore(undefined, lock, { data: emptyStore(), stamp: undefined });
    return new LocalKeyStore(dataDir, lock, await readStoreFile(join(dataDir, LOCAL_KEY_STORE_FILE), 'start'));
  }

  /** The master key state, re-read from the file when the cached one is older than `maxAgeMs`. */
  async masterKeyState(maxAgeMs: number, operation: string): Promise<LocalKeyState> {
    await this.refresh(maxAgeMs, operation);
    return this.data.masterKeyState;
  }

  /** A resident key as the file holds it now (another process may have created or switched it). */
  async find(keyId: string, operation: string): Promise<LocalResidentKey | undefined> {
    await this.refresh(0, operation);
    return this.data.keys.find((key) => key.keyId === keyId);
  }

  async add(key: LocalResidentKey, signal?: AbortSignal): Promise<void> {
    await this.mutate('createAsymmetricKey', signal, (data) => ({
      ...data,
      keys: [...data.keys.filter((existing) => existing.keyId !== key.keyId), key],
    }));
  }

  /** Deletes a resident key; false when the file does not hold it. */
  async remove(keyId: string, signal?: AbortSignal): Promise<boolean> {
    let removed = false;
    await this.mutate('destroyKey', signal, (data) => {
      removed = data.keys.some((key) => key.keyId === keyId);
      return removed ? { ...data, keys: data.keys.filter((key) => key.keyId !== keyId) } : data;
    });
    return removed;
  }

  async setMasterKeyState(state: LocalKeyState): Promise<void> {
    await this.mutate('setKeyState', undefined, (data) => ({ ...data, masterKeyState: state }));
  }

  /** Switches a resident key; `KMS_KEY_NOT_FOUND` when the file does not hold it. */
  async setKeyState(keyId: string, state: LocalKeyState): Promise<void> {
    await this.mutate('setKeyState', undefined, (data) => {
      if (!data.keys.some((key) => key.keyId === keyId)) throw kmsError('local', 'setKeyState', 'KMS_KEY_NOT_FOUND', 'no such key');
      return { ...data, keys: data.keys.map((key) => (key.keyId === keyId ? { ...key, state } : key)) };
    });
  }

  private async refresh(maxAgeMs: number, operation: string): Promise<void> {
    const path = this.path;
    if (path === undefined || Date.now() - this.checkedAt < maxAgeMs) return;
    const generation = this.generation;
    this.checkedAt = Date.now();
    if ((await statStamp(path, operation)) === this.stamp) return;
    const snapshot = await readStoreFile(path, operation);
    // A write of ours that finished meanwhile is newer than what this read saw.
    if (generation === this.generation) this.apply(snapshot);
  }

  /** One change at a time per instance; across processes the lock file serialises them. */
  private mutate(operation: string, signal: AbortSignal | undefined, change: (data: StoreFile) => StoreFile): Promise<void> {
    const { path, lockPath } = this;
    if (path === undefined || lockPath === undefined) {
      this.data = change(this.data);
      return Promise.resolve();
    }
    const run = this.writes.then(() =>
      withFileLock(
        lockPath,
        this.lock,
        async () => {
          const next = change((await readStoreFile(path, operation)).data);
          this.apply({ data: next, stamp: await writeStoreFile(path, next, operation) });
        },
        signal,
      ),
    );
    this.writes = run.catch(() => undefined);
    return run;
  }

  private apply(snapshot: StoreSnapshot): void {
    this.data = snapshot.data;
    this.stamp = snapshot.stamp;
    this.generation += 1;
  }
}
