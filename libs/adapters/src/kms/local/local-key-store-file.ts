import { randomUUID } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AsymmetricKeySpec } from '@keyledger/kms-domain';
import { kmsError } from '../shared/kms-errors';
import { errorCode, syncDirectory } from './local-fs';

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

/** The key store file's content. */
export interface StoreFile {
  readonly version: 1;
  readonly masterKeyState: LocalKeyState;
  readonly keys: readonly LocalResidentKey[];
}

/** What a read saw: the content and a stamp of the file it came from (undefined: no file yet). */
export interface StoreSnapshot {
  readonly data: StoreFile;
  readonly stamp: string | undefined;
}

export function emptyStore(): StoreFile {
  return { version: 1, masterKeyState: 'Enabled', keys: [] };
}

/**
 * Identifies one version of the file: every write renames a new inode into place, so inode,
 * size and nanosecond times change together. Undefined when the file does not exist.
 */
export async function statStamp(path: string, operation: string): Promise<string | undefined> {
  try {
    return stampOf(await stat(path, { bigint: true }));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw kmsError('local', operation, 'KMS_MISCONFIGURED', `cannot read ${path}`, { providerCode: errorCode(error) });
  }
}

/** Reads the file and stamps it from the same open handle, so the stamp never runs ahead of the content. */
export async function readStoreFile(path: string, operation: string): Promise<StoreSnapshot> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { data: emptyStore(), stamp: undefined };
    throw kmsError('local', operation, 'KMS_MISCONFIGURED', `cannot read ${path}`, { providerCode: errorCode(error) });
  }
  try {
    const stamp = stampOf(await handle.stat({ bigint: true }));
    return { data: parseStore(await handle.readFile('utf8'), path, operation), stamp };
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the file atomically and durably: a temporary file (0600) is written and fsynced, then
 * renamed over the old one and the directory is fsynced. Call only while holding the store lock.
 * Returns the stamp of the new file.
 */
export async function writeStoreFile(path: string, data: StoreFile, operation: string): Promise<string | undefined> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(data, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw kmsError('local', operation, 'KMS_PROVIDER_FAILURE', 'cannot write the key store file', { providerCode: errorCode(error) });
  }
  await syncDirectory(dirname(path));
  return statStamp(path, operation);
}

function parseStore(text: string, path: string, operation: string): StoreFile {
  let parsed: Partial<StoreFile> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<StoreFile>;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed === null || parsed.version !== 1 || !Array.isArray(parsed.keys)) {
    throw kmsError('local', operation, 'KMS_MISCONFIGURED', `${path} is not a local KMS key store`);
  }
  return { version: 1, masterKeyState: parsed.masterKeyState === 'Disabled' ? 'Disabled' : 'Enabled', keys: parsed.keys };
}

function stampOf(info: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}
