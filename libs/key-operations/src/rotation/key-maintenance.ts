import { isConcurrencyConflict, keyMaterialStream } from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { handleKeyCommand, loadKey } from '../keys/key-repository';
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

/**
 * The scheduler's other jobs: destroy keys whose deletion window has passed (the `KeyDestroyed`
 * decision first, under optimistic concurrency so a concurrent cancel wins, then the material
 * stream is deleted: crypto-shredding). Each item stands alone: one failure does not stop the
 * others. Break-glass expiry is BreakGlassOperations.expireBreakGlassSessions, shared with the API.
 */
export class KeyMaintenance {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
  ) {}

  async destroyDueKeys(actor: Actor): Promise<MaintenanceReport> {
    const now = this.ports.clock.now();
    const keys = Object.values(this.views.snapshot().keys.keys);
    const due = keys.filter((k) => k.status === 'PendingDeletion' && reached(now, k.deleteAfter));
    // A destroyed key whose material survived (deletion failed last time) is shredded again.
    const leftovers = keys.filter((k) => k.status === 'Destroyed');
    return this.each(
      [...due.map((k) => ({ id: `${k.tenantId}:${k.keyId}`, run: () => this.destroy(actor, k.tenantId, k.keyId) })),
        ...leftovers.map((k) => ({ id: `${k.tenantId}:${k.keyId}`, run: () => this.shredLeftover(k.tenantId, k.keyId) }))],
    );
  }

  private async destroy(actor: Actor, tenantId: string, keyId: string): Promise<Step> {
    const loaded = await loadKey(this.ports.store, tenantId, keyId);
    if (loaded.state.status !== 'PendingDeletion' || !reached(this.ports.clock.now(), loaded.state.deleteAfter)) return 'skipped';
    try {
      await handleKeyCommand(this.ports, actor, { type: 'DestroyKey', tenantId, keyId, now: this.ports.clock.now() }, { loaded });
    } catch (error) {
      if (isConcurrencyConflict(error)) return 'skipped';
      throw error;
    }
    await this.ports.store.deleteStream(keyMaterialStream(tenantId, keyId));
    return 'done';
  }

  private async shredLeftover(tenantId: string, keyId: string): Promise<Step> {
    const stream = keyMaterialStream(tenantId, keyId);
    if ((await this.ports.store.readStream(stream, { maxCount: 1 })).length === 0) return 'skipped';
    await this.ports.store.deleteStream(stream);
    return 'done';
  }

  private async each(items: readonly { id: string; run: () => Promise<Step> }[]): Promise<MaintenanceReport> {
    let done = 0;
    let skipped = 0;
    const failed: { id: string; code: string }[] = [];
    for (const item of items) {
      try {
        if ((await item.run()) === 'done') done++;
        else skipped++;
      } catch (error) {
        failed.push({ id: item.id, code: errorCodeOf(error) });
      }
    }
    return { status: failed.length === 0 ? 'success' : 'partial', done, skipped, failed };
  }
}
