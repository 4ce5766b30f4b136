import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_KEY_BYTES } from '@keyledger/kms-domain';
import { kmsError } from '../shared/kms-errors';

/** File name of the local master key under the data directory. */
export const LOCAL_MASTER_KEY_FILE = 'local-kms-master.key';

export interface LocalMasterKeySource {
  /** Directory holding the master key file (created with mode 0600 on first start). */
  readonly dataDir?: string;
  /** Base64 of 32 bytes (`LOCAL_KMS_MASTER_KEY`); wins over the file when set. */
  readonly masterKeyBase64?: string;
}

const misconfigured = (reason: string) => kmsError('local', 'start', 'KMS_MISCONFIGURED', reason);

/**
 * Loads the local provider's AES-256 master key from `LOCAL_KMS_MASTER_KEY` or from its file,
 * creating the file (0600, exclusive create) on first start. Refuses a file others can read.
 */
export async function loadLocalMasterKey(source: LocalMasterKeySource): Promise<Buffer> {
  if (source.masterKeyBase64 !== undefined && source.masterKeyBase64 !== '') return decodeMasterKey(source.masterKeyBase64);
  if (source.dataDir === undefined) throw misconfigured('set a data directory or LOCAL_KMS_MASTER_KEY');
  await mkdir(source.dataDir, { recursive: true, mode: 0o700 });
  const path = join(source.dataDir, LOCAL_MASTER_KEY_FILE);
  try {
    await writeFile(path, randomBytes(DATA_KEY_BYTES), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw misconfigured('cannot create the master key file');
  }
  return readMasterKeyFile(path);
}

async function readMasterKeyFile(path: string): Promise<Buffer> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) throw misconfigured(`master key file ${path} must have mode 0600`);
  const key = await readFile(path);
  if (key.length !== DATA_KEY_BYTES) throw misconfigured(`master key file ${path} must hold ${DATA_KEY_BYTES} bytes`);
  return key;
}

function decodeMasterKey(base64: string): Buffer {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw misconfigured('LOCAL_KMS_MASTER_KEY must be base64');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== DATA_KEY_BYTES) throw misconfigured(`LOCAL_KMS_MASTER_KEY must decode to ${DATA_KEY_BYTES} bytes`);
  return key;
}
