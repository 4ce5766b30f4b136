import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { kmsError, throwIfAborted } from '../shared/kms-errors';
import { errorCode } from './local-fs';

/** How long to wait for the local key store's lock, and when a held lock counts as abandoned. */
export interface FileLockOptions {
  /** A lock older than this is broken even when its holder may still be alive. */
  readonly staleMs: number;
  /** Waiting longer than this fails with a transient `KMS_UNAVAILABLE`. */
  readonly waitMs: number;
}

/** Writes hold the lock for a read, a write and an fsync: milliseconds, so 10 s means abandoned. */
export const DEFAULT_FILE_LOCK: FileLockOptions = { staleMs: 10_000, waitMs: 15_000 };

const FIRST_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 25;

/**
 * Runs `body` while holding an exclusive lock file shared by every process on the same data
 * directory. The lock is a file created with O_EXCL holding `host pid token`; a waiter retries
 * with short jittered backoff and breaks a lock whose holder is a dead process on this host, or
 * that is older than `staleMs`. Only the lock's own holder removes it.
 */
export async function withFileLock<T>(lockPath: string, options: FileLockOptions, body: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const token = `${hostname()} ${process.pid} ${randomUUID()}`;
  await acquire(lockPath, token, options, signal);
  try {
    return await body();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, token: string, options: FileLockOptions, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal, 'local', 'lock');
    if (await tryCreate(lockPath, token)) return;
    if (await breakIfStale(lockPath, options.staleMs)) continue;
    if (Date.now() >= deadline) throw kmsError('local', 'lock', 'KMS_UNAVAILABLE', 'the key store is locked by another process');
    await delay(backoff(attempt));
  }
}

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw kmsError('local', 'lock', 'KMS_MISCONFIGURED', 'cannot create the key store lock file', { providerCode: errorCode(error) });
  }
  try {
    await handle.writeFile(token);
  } finally {
    await handle.close();
  }
  return true;
}

/** Removes the lock when its holder is gone; true when it did (or the lock vanished meanwhile). */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const before = await statOrUndefined(lockPath);
  if (before === undefined) return true;
  const holder = await readFile(lockPath, 'utf8').catch(() => '');
  const abandoned = holderIsDead(holder) || Date.now() - before.mtimeMs > staleMs;
  if (!abandoned) return false;
  // Only remove the lock file that was judged, not one a faster waiter created since.
  const now = await statOrUndefined(lockPath);
  if (now !== undefined && now.ino === before.ino && now.mtimeMs === before.mtimeMs) await unlink(lockPath).catch(() => undefined);
  return true;
}

async function release(lockPath: string, token: string): Promise<void> {
  const holder = await readFile(lockPath, 'utf8').catch(() => '');
  if (holder === token) await unlink(lockPath).catch(() => undefined);
}

/** A holder on this host whose process no longer exists; unknown holders are judged by age only. */
function holderIsDead(holder: string): boolean {
  const [host, pidText] = holder.split(' ');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errorCode(error) === 'ESRCH';
  }
}

async function statOrUndefined(path: string): Promise<{ ino: number; mtimeMs: number } | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

function backoff(attempt: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
