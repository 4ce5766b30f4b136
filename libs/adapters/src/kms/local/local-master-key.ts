import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DATA_KEY_BYTES } from '@keyledger/kms-domain';
import { kmsError } from '../shared/kms-errors';
import { errorCode, syncDirectory } from './local-fs';

/** File name of the local master key under the data directory. */
export const LOCAL_MASTER_KEY_FILE = 'local-kms-master.key';

export interface LocalMasterKeySource {
  /** Directory holding the master key file (created with mode 0600 on first start). */
  readonly dataDir?: string;
  /** Base64 of 32 bytes (`LOCAL_KMS_MASTER_KEY`); wins over the file when set. */
  readonly masterKeyBase64?: string;
}

const misconfigured = (reason: string) => kmsError('local', 'start', 'KMS_MISCONFIGURED', reason);

// Filesystems without hard links fall back to an exclusive create that is briefly empty.
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
const SHORT_READ_RETRIES = 10;
const SHORT_READ_DELAY_MS = 20;

/**
 * Loads the local provider's AES-256 master key from `LOCAL_KMS_MASTER_KEY` or from its file,
 * creating the file (0600) on first start. Creation is exclusive and the file appears complete,
 * so processes starting together on a fresh data directory all end up with the one key that
 * won. Refuses a file others can read.
 */
export async function loadLocalMasterKey(source: LocalMasterKeySource): Promise<Buffer> {
  if (source.masterKeyBase64 !== undefined && source.masterKeyBase64 !== '') return decodeMasterKey(source.masterKeyBase64);
  if (source.dataDir === undefined) throw misconfigured('set a data directory or LOCAL_KMS_MASTER_KEY');
  await mkdir(source.dataDir, { recursive: true, mode: 0o700 });
  const path = join(source.dataDir, LOCAL_MASTER_KEY_FILE);
  if ((await stat(path).catch(() => undefined)) === undefined) await createMasterKeyFile(path);
  // Whoever won the creation, everyone uses what the file holds.
  return readMasterKeyFile(path);
}

/** Writes a fresh key to a private temporary file, fsyncs it, then hard-links it into place (fails with EEXIST if another process won). */
async function createMasterKeyFile(path: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeKeyFile(temporary);
    await link(temporary, path);
  } catch (error) {
    const code = errorCode(error) ?? '';
    if (NO_HARD_LINKS.has(code)) await writeKeyFile(path);
    else if (code !== 'EEXIST') throw misconfigured('cannot create the master key file');
  } finally {
    await rm(temporary, { force: true });
  }
  await syncDirectory(dirname(path));
}

async function writeKeyFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return;
    throw misconfigured('cannot create the master key file');
  }
  try {
    await handle.writeFile(randomBytes(DATA_KEY_BYTES));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readMasterKeyFile(path: string): Promise<Buffer> {
  for (let attempt = 0; ; attempt++) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw misconfigured(`cannot read master key file ${path}`);
    if ((info.mode & 0o077) !== 0) throw misconfigured(`master key file ${path} must have mode 0600`);
    const key = await readFile(path).catch(() => Buffer.alloc(0));
    if (key.length === DATA_KEY_BYTES) return key;
    // Only the no-hard-link fallback shows a file before its bytes: give its writer a moment.
    if (key.length > DATA_KEY_BYTES || attempt >= SHORT_READ_RETRIES) {
      throw misconfigured(`master key file ${path} must hold ${DATA_KEY_BYTES} bytes`);
    }
    await delay(SHORT_READ_DELAY_MS);
  }
}

function decodeMasterKey(base64: string): Buffer {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw misconfigured('LOCAL_KMS_MASTER_KEY must be base64');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== DATA_KEY_BYTES) throw misconfigured(`LOCAL_KMS_MASTER_KEY must decode to ${DATA_KEY_BYTES} bytes`);
  return key;
}
