import { keyMaterialStream, keyMaterialVersionStream, readWholeStream, type ExistingKeyState, type KeyMaterialWrapped } from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import { toNewEvents } from '../keys/event-context';
import type { ProviderGateway } from '../provider/provider-gateway';
import { breakerFor, wrappedRecordsOf } from './key-material';

/**
 * Crypto-shredding of the versions below `below` (a trim): each one's material stream is deleted and
 * a provider-resident version's object is deleted in the provider. Versions written before
 * per-version streams share the key's material stream: the versions kept are first copied into
 * their own streams, then the shared stream goes. Idempotent, so a failed trim can run again.
 * Costs O(versions trimmed + versions kept in the shared stream), never a scan of other keys.
 */
export async function shredVersionsBelow(ports: KeyOperationsPorts, gateway: ProviderGateway, actor: Actor, key: ExistingKeyState, below: number): Promise<void> {
  const trimmed = key.versions.filter((v) => v.version < below);
  for (const v of trimmed) {
    if (v.material.mode !== 'provider-resident') continue;
    if (key.provider !== gateway.provider.kind) {
      throw new KeyOperationError('PROVIDER_MISMATCH', `key ${key.keyId} lives in provider '${key.provider}'; this instance uses '${gateway.provider.kind}'`);
    }
    const ref = v.material.providerKeyRef;
    await gateway.call(breakerFor(key.purpose), 'destroy_key', (p, signal) => p.destroyKey(ref, { signal }));
  }
  const shared = keyMaterialStream(key.tenantId, key.keyId);
  const legacy = (await readWholeStream(ports.store, shared)).map((r) => r.data as KeyMaterialWrapped['data']);
  if (legacy.some((d) => d.version < below)) {
    const now = ports.clock.now();
    for (const v of key.versions.filter((k) => k.version >= below && k.material.mode === 'wrapped')) {
      const own = keyMaterialVersionStream(key.tenantId, key.keyId, v.version);
      if ((await ports.store.readStream(own, { maxCount: 1 })).length > 0) continue;
      const records = await wrappedRecordsOf(ports, key.tenantId, key.keyId, v.version);
      const events = records.map((data) => ({ type: 'KeyMaterialWrapped', schemaVersion: 1, data }) satisfies KeyMaterialWrapped);
      if (events.length > 0) await ports.store.append(own, toNewEvents(events, actor, now, ports.ids));
    }
    await ports.store.deleteStream(shared);
  }
  for (const v of trimmed) await deleteIfPresent(ports, keyMaterialVersionStream(key.tenantId, key.keyId, v.version));
}

/** Deletes every material stream of a destroyed key (the shared one and each version's). */
export async function shredAllMaterial(ports: KeyOperationsPorts, key: Pick<ExistingKeyState, 'tenantId' | 'keyId' | 'versions'>): Promise<boolean> {
  let deleted = await deleteIfPresent(ports, keyMaterialStream(key.tenantId, key.keyId));
  for (const v of key.versions) if (await deleteIfPresent(ports, keyMaterialVersionStream(key.tenantId, key.keyId, v.version))) deleted = true;
  return deleted;
}

async function deleteIfPresent(ports: KeyOperationsPorts, stream: string): Promise<boolean> {
  if ((await ports.store.readStream(stream, { maxCount: 1 })).length === 0) return false;
  await ports.store.deleteStream(stream);
  return true;
}
