import { isConcurrencyConflict, keyMaterialStream, type ExistingKeyState, type RowPage } from '@keyledger/kms-domain';
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
const PAGE = 200;

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
    const keys = this.views.models.keys;
    const due = allPages((cursor) => keys.deletionDue(now, { limit: PAGE, cursor }));
    // A destroyed key whose material survived (deletion failed last time) is shredded again.
    const leftovers = allPages((cursor) => keys.withStatus('Destroyed', { limit: PAGE, cursor }));
    const report = await this.each(due, (k) => this.destroy(actor, k.tenantId, k.keyId));
    const shredded = await this.each(leftovers, (k) => this.shredLeftover(k.tenantId, k.keyId));
    return {
      status: report.status === 'success' && shredded.status === 'success' ? 'success' : 'partial',
      done: report.done + shredded.done,
      skipped: report.skipped + shredded.skipped,
      failed: [...report.failed, ...shredded.failed],
    };
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
    await this.ports.store.deleteStream(keyMaterialStream(tenantId, keyId));
    return 'done';
  }

  private async shredLeftover(tenantId: string, keyId: string): Promise<Step> {
    const stream = keyMaterialStream(tenantId, keyId);
    if ((await this.ports.store.readStream(stream, { maxCount: 1 })).length === 0) return 'skipped';
    await this.ports.store.deleteStream(stream);
    return 'done';
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
