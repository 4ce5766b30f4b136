import {
  breakGlassProjection,
  sessionsAwaitingKeyDestruction,
  sessionsDueForExpiry,
  type BreakGlassView,
  type BreakGlassViewEntry,
  type KeyledgerEvent,
  type RecordedEvent,
} from '@keyledger/kms-domain';
import type { KeyViews } from '../views/key-views';

/**
 * The break-glass sessions view, folded from the same subscription as the key views. Create it
 * before `KeyOperations.start()` so the replay reaches it too.
 */
export class BreakGlassSessions {
  private view: BreakGlassView = breakGlassProjection.initial;
  private readonly unsubscribe: () => void;

  constructor(views: KeyViews) {
    this.unsubscribe = views.onEvent((recorded) => this.apply(recorded));
  }

  apply(recorded: RecordedEvent): void {
    const event = { type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data } as KeyledgerEvent;
    this.view = breakGlassProjection.apply(this.view, { event, streamName: recorded.streamName, position: recorded.position });
  }

  /** Running sessions past `expiresAt`. */
  dueForExpiry(now: Date): BreakGlassViewEntry[] {
    return sessionsDueForExpiry(this.view, now);
  }

  /** Ended sessions whose emergency key is not yet recorded as destroyed. */
  awaitingKeyDestruction(): BreakGlassViewEntry[] {
    return sessionsAwaitingKeyDestruction(this.view);
  }

  /** Sessions currently running (the `breakglass_sessions_active` gauge). */
  activeCount(): number {
    return Object.values(this.view.sessions).filter((s) => s.status === 'Active' || s.status === 'KeyLost').length;
  }

  close(): void {
    this.unsubscribe();
  }
}
