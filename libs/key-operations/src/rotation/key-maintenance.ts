import { isConcurrencyConflict, retentionTrimTarget, type ExistingKeyState, type RowPage } from '@keyledger/kms-domain';
import { handleTrim } from '../keys/key-trim';
import { shredAllMaterial } from '../material/material-shredding';
import type { Actor, KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import { handleKeyCommand, loadKey } from '../keys/key-repository';
import { residentRefs } from '../keys/resident-key-switch';
import { breakerFor } from '../material/key-material';
import type { ProviderGateway } from '../provider/provider-gateway';
import type { KeyViews } from '../views/key-views';
import { errorCodeOf } from './rotation-policy';

/** What a maintenance job did; `failed` names the item and the error code. */
export interface MaintenanceReport {
  readonly status: 'success' | 'partial';
  readonly done: number;
  readonly skipped: number;
  readonly failed: readonly { readonly id: string; readonly code: string }[];
}

type Step = 'done' | 'skipped';

const reached = (now: Date, at: string): boolean => now.getTime() >= Date.parse(at);
const PAGE = 200;
/**
 * How long after its destruction a key's provider-resident objects are asked for again when this
 * process has not seen them deleted (a failed deletion, or a restart in between): 24 hourly runs.
 */
export const RESIDENT_DELETION_RETRY_MS = 24 * 3_600_000;

/** Every row of a paged query, read a page at a time (memory bounded by a page). */
function* allPages<T>(read: (cursor: string | null) => RowPage<T>): Generator<T> {
  let cursor: string | null = null;
  do {
    const page = read(cursor);
    yield* page.items;
    cursor = page.next;
  } while (cursor !== null);
}

/**
 * The scheduler's other jobs: destroy keys whose deletion window has passed (the `KeyDestroyed`
 * decision first, under optimistic concurrency so a concurrent cancel wins, then the key's
 * provider-resident objects are deleted in the provider and the material stream is deleted:
 * crypto-shredding). Each item stands alone: one failure does not stop the others. Break-glass
 * expiry is BreakGlassOperations.expireBreakGlassSessions, shared with the API.
 */
export class KeyMaintenance {
  /** Destroyed keys whose resident objects this process saw deleted, by `tenant:key` → destroyedAt (ms). */
  private readonly residentGone = new Map<string, number>();

  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
    private readonly gateway: ProviderGateway,
  ) {}

  async destroyDueKeys(actor: Actor): Promise<MaintenanceReport> {
    const now = this.ports.clock.now();
    const keys = this.views.models.keys;
    const due = allPages((cursor) => keys.deletionDue(now, { limit: PAGE, cursor }));
    // A destroyed key whose material survived (deletion failed last time) is shredded again.
    const leftovers = allPages((cursor) => keys.withStatus('Destroyed', { limit: PAGE, cursor }));
    const report = await this.each(due, (k) => this.destroy(actor, k.tenantId, k.keyId));
    this.forgetOlderThan(now.getTime() - RESIDENT_DELETION_RETRY_MS);
    const shredded = await this.each(leftovers, (k) => this.shredLeftover(k, now));
    return {
      status: report.status === 'success' && shredded.status === 'success' ? 'success' : 'partial',
      done: report.done + shredded.done,
      skipped: report.skipped + shredded.skipped,
      failed: [...report.failed, ...shredded.failed],
    };
  }

  /**
   * The nightly retention trim: every key whose `retainVersions` asks for one (read through the
   * read model's trim-due index, so keys without the setting cost nothing) keeps its newest
   * `retainVersions` versions, never past minDecryptionVersion or the encryption floor.
   */
  async trimRetainedVersions(actor: Actor): Promise<MaintenanceReport> {
    const keys = this.views.models.keys;
    const due = allPages((cursor) => keys.trimDue({ limit: PAGE, cursor }));
    return this.each(due, async (k) => {
      const target = retentionTrimTarget(k);
      if (target === null) return 'skipped';
      const command = { type: 'TrimKeyVersions', tenantId: k.tenantId, keyId: k.keyId, now: this.ports.clock.now(), minAvailableVersion: target } as const;
      const handled = await handleTrim(this.ports, this.gateway, actor, command);
      if (handled.position !== null) await this.views.waitFor(handled.position).catch(() => undefined);
      return 'done';
    });
  }

  private async destroy(actor: Actor, tenantId: string, keyId: string): Promise<Step> {
    const loaded = await loadKey(this.ports.store, tenantId, keyId);
    if (loaded.state.status !== 'PendingDeletion' || !reached(this.ports.clock.now(), loaded.state.deleteAfter)) return 'skipped';
    try {
      // One round: a conflict means a concurrent change (a cancel) won, and the key is skipped.
      await handleKeyCommand(this.ports, actor, { type: 'DestroyKey', tenantId, keyId, now: this.ports.clock.now() }, { loaded, maxAttempts: 1 });
    } catch (error) {
      if (isConcurrencyConflict(error)) return 'skipped';
      throw error;
    }
    await this.destroyResidentObjects(loaded.state);
    this.residentGone.set(`${tenantId}:${keyId}`, this.ports.clock.now().getTime());
    await shredAllMaterial(this.ports, loaded.state);
    return 'done';
  }

  /**
   * A destroyed key whose material stream survived is shredded again; its provider-resident
   * objects are deleted again while the destruction is recent and this process has not seen them
   * go (a provider answers false for objects already gone).
   */
  private async shredLeftover(key: ExistingKeyState, now: Date): Promise<Step> {
    let done = false;
    const id = `${key.tenantId}:${key.keyId}`;
    const destroyedAt = key.status === 'Destroyed' ? Date.parse(key.destroyedAt) : Number.NaN;
    if (residentRefs(key).length > 0 && !this.residentGone.has(id) && now.getTime() - destroyedAt < RESIDENT_DELETION_RETRY_MS) {
      done = await this.destroyResidentObjects(key);
      this.residentGone.set(id, destroyedAt);
    }
    if (await shredAllMaterial(this.ports, key)) done = true;
    return done ? 'done' : 'skipped';
  }

  /** Deletes every provider-resident version of `key` in the provider; true when any was still there. */
  private async destroyResidentObjects(key: ExistingKeyState): Promise<boolean> {
    const refs = residentRefs(key);
    if (refs.length === 0) return false;
    if (key.provider !== this.gateway.provider.kind) {
      throw new KeyOperationError('PROVIDER_MISMATCH', `key ${key.keyId} lives in provider '${key.provider}'; this instance uses '${this.gateway.provider.kind}'`);
    }
    let deleted = false;
    for (const ref of refs) {
      if (await this.gateway.call(breakerFor(key.purpose), 'destroy_key', (p, signal) => p.destroyKey(ref, { signal }))) deleted = true;
    }
    return deleted;
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [id, destroyedAt] of this.residentGone) if (!(destroyedAt >= cutoff)) this.residentGone.delete(id);
  }

  private async each(keys: Iterable<ExistingKeyState>, run: (key: ExistingKeyState) => Promise<Step>): Promise<MaintenanceReport> {
    let done = 0;
    let skipped = 0;
    const failed: { id: string; code: string }[] = [];
    for (const key of keys) {
      try {
        if ((await run(key)) === 'done') done++;
        else skipped++;
      } catch (error) {
        failed.push({ id: `${key.tenantId}:${key.keyId}`, code: errorCodeOf(error) });
      }
    }
    return { status: failed.length === 0 ? 'success' : 'partial', done, skipped, failed };
  }
}

