/**
 * Mixed load for the crash drill: workers each own their keys and change them one request at a
 * time, so every acknowledged change has exactly one expected outcome, and a change in flight at
 * the kill has two (applied or not).
 */
import { randomBytes } from 'node:crypto';
import { call, type Answer } from './http';

type Status = 'Enabled' | 'Disabled';

/** What the client knows about a key: the last acknowledged state, and a change whose answer never came. */
export interface TrackedKey {
  readonly keyId: string;
  readonly purpose: 'sign' | 'encrypt';
  version: number;
  status: Status;
  inFlight: { version: number; status: Status } | null;
  /** Ciphertexts acknowledged by encrypt, with their plaintext and version. */
  readonly sealed: { ciphertext: string; plaintext: string; version: number }[];
}

/** Counters of the load, and violations seen while it ran (e.g. a sign answered with a stale version). */
export interface LoadStats {
  requests: number;
  acknowledgedChanges: number;
  readonly violations: string[];
}

const view = (a: Answer) => a.json as { keyId: string; primaryVersion: number; status: Status };

/** Creates a key and starts tracking it once acknowledged. */
export async function createTracked(base: string, token: string, tenant: string, purpose: 'sign' | 'encrypt', name: string): Promise<TrackedKey | null> {
  const a = await call(base, { method: 'POST', path: '/v1/keys', token, body: { tenantId: tenant, name, purpose } });
  if (a.status !== 201) return null;
  return { keyId: view(a).keyId, purpose, version: view(a).primaryVersion, status: view(a).status, inFlight: null, sealed: [] };
}

async function change(base: string, token: string, key: TrackedKey, action: 'rotate' | 'disable' | 'enable', stats: LoadStats): Promise<void> {
  key.inFlight = action === 'rotate' ? { version: key.version + 1, status: key.status } : { version: key.version, status: action === 'disable' ? 'Disabled' : 'Enabled' };
  const a = await call(base, { method: 'POST', path: `/v1/keys/${key.keyId}/${action}`, token, body: {} });
  stats.requests++;
  if (a.status === 200) {
    key.version = view(a).primaryVersion;
    key.status = view(a).status;
    stats.acknowledgedChanges++;
  }
  key.inFlight = null;
}

async function use(base: string, token: string, key: TrackedKey, stats: LoadStats): Promise<void> {
  const plaintext = randomBytes(24).toString('base64');
  const action = key.purpose === 'sign' ? 'sign' : 'encrypt';
  const body = key.purpose === 'sign' ? { message: plaintext } : { plaintext };
  const a = await call(base, { method: 'POST', path: `/v1/keys/${key.keyId}/${action}`, token, body });
  stats.requests++;
  if (a.status !== 200) {
    stats.violations.push(`${action} ${key.keyId} answered ${a.status} ${a.text.slice(0, 120)}`);
    return;
  }
  const got = a.json as { keyVersion: number; ciphertext?: string };
  if (got.keyVersion !== key.version) stats.violations.push(`${action} ${key.keyId} used version ${got.keyVersion}, primary is ${key.version}`);
  if (got.ciphertext) key.sealed.push({ ciphertext: got.ciphertext, plaintext, version: got.keyVersion });
}

/** One worker: creates keys, changes or uses one of its keys, until a request fails (the API was killed). */
export async function runWorker(base: string, token: string, tenant: string, keys: TrackedKey[], stats: LoadStats): Promise<void> {
  for (;;) {
    const key = keys[Math.floor(Math.random() * keys.length)] as TrackedKey;
    const roll = Math.random();
    try {
      if (roll < 0.04) {
        const created = await createTracked(base, token, tenant, roll < 0.02 ? 'sign' : 'encrypt', `c${randomBytes(4).toString('hex')}`);
        stats.requests++;
        if (created) {
          keys.push(created);
          stats.acknowledgedChanges++;
        }
      } else if (key.status === 'Disabled') await change(base, token, key, 'enable', stats);
      else if (roll < 0.25) await change(base, token, key, 'rotate', stats);
      else if (roll < 0.35) await change(base, token, key, 'disable', stats);
      else await use(base, token, key, stats);
    } catch {
      return; // connection refused or reset: the process is gone
    }
  }
}

/** Compares the API's view of each key with what was acknowledged; settles changes that were in flight. */
export async function checkAcknowledged(base: string, token: string, keys: readonly TrackedKey[]): Promise<string[]> {
  const problems: string[] = [];
  for (const key of keys) {
    const a = await call(base, { method: 'GET', path: `/v1/keys/${key.keyId}`, token });
    if (a.status !== 200) {
      problems.push(`${key.keyId}: acknowledged key missing (${a.status})`);
      continue;
    }
    const seen = { version: view(a).primaryVersion, status: view(a).status };
    const acked = seen.version === key.version && seen.status === key.status;
    const inFlight = key.inFlight !== null && seen.version === key.inFlight.version && seen.status === key.inFlight.status;
    if (!acked && !inFlight) problems.push(`${key.keyId}: expected v${key.version} ${key.status}, found v${seen.version} ${seen.status}`);
    Object.assign(key, { ...seen, inFlight: null });
  }
  return problems;
}

/** The cache after a restart: signs and encrypts use the primary version; every acknowledged ciphertext opens to its plaintext. */
export async function checkCacheVersions(base: string, token: string, keys: readonly TrackedKey[]): Promise<string[]> {
  const stats: LoadStats = { requests: 0, acknowledgedChanges: 0, violations: [] };
  for (const key of keys.filter((k) => k.status === 'Enabled')) {
    await use(base, token, key, stats);
    for (const s of key.sealed) {
      const a = await call(base, { method: 'POST', path: `/v1/keys/${key.keyId}/decrypt`, token, body: { ciphertext: s.ciphertext } });
      const got = a.json as { plaintext?: string; keyVersion?: number };
      if (a.status !== 200 || got.plaintext !== s.plaintext || got.keyVersion !== s.version) stats.violations.push(`decrypt ${key.keyId} v${s.version}: ${a.status}`);
    }
  }
  return stats.violations;
}
