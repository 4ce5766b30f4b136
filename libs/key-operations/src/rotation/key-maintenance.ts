import {
  breakGlassDecider,
  breakGlassStream,
  foldEvents,
  isConcurrencyConflict,
  keyMaterialStream,
  type BreakGlassCommand,
  type BreakGlassEvent,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { toNewEvents } from '../keys/event-context';
import { handleKeyCommand, loadKey } from '../keys/key-repository';
import type { KeyViews } from '../views/key-views';
import type { BreakGlassSessions } from './break-glass-sessions';
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
 * stream is deleted: crypto-shredding), and expire break-glass sessions past their ttl, recording
 * their emergency keys as destroyed. Each item stands alone: one failure does not stop the others.
 */
export class KeyMaintenance {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
    private readonly sessions: BreakGlassSessions,
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

  async expireBreakGlassSessions(actor: Actor): Promise<MaintenanceReport> {
    const now = this.ports.clock.now();
    const expiring = this.sessions.dueForExpiry(now).map((s) => s.sessionId);
    const ended = this.sessions.awaitingKeyDestruction().map((s) => s.sessionId).filter((id) => !expiring.includes(id));
    const destroyKey = (sessionId: string) => this.session(actor, { type: 'DestroyEmergencyKey', sessionId, now: this.ports.clock.now() });
    return this.each([
      ...expiring.map((id) => ({
        id,
        run: async (): Promise<Step> => {
          const expired = await this.session(actor, { type: 'ExpireBreakGlass', sessionId: id, now: this.ports.clock.now() });
          const destroyed = await destroyKey(id);
          return expired === 'done' || destroyed === 'done' ? 'done' : 'skipped';
        },
      })),
      ...ended.map((id) => ({ id, run: () => destroyKey(id) })),
    ]);
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

  private async session(actor: Actor, command: BreakGlassCommand): Promise<Step> {
    const stream = breakGlassStream(command.sessionId);
    const recorded = await this.ports.store.readStream(stream);
    const state = foldEvents(breakGlassDecider, recorded.map((r) => ({ type: r.type, schemaVersion: r.schemaVersion, data: r.data }) as BreakGlassEvent));
    const expectedDone = command.type === 'ExpireBreakGlass' ? state.status !== 'Active' && state.status !== 'KeyLost' : state.status !== 'Ended';
    if (expectedDone) return 'skipped';
    const events = breakGlassDecider.decide(command, state);
    const expected = recorded.length === 0 ? 'no-stream' : recorded[recorded.length - 1].revision;
    try {
      await this.ports.store.append(stream, toNewEvents(events, actor, command.now, this.ports.ids), { expectedRevision: expected });
    } catch (error) {
      if (isConcurrencyConflict(error)) return 'skipped';
      throw error;
    }
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
