import type { BreakGlassViewEntry } from '@keyledger/kms-domain';
import type { KeyViews } from '../views/key-views';

/** Sessions one scheduler pass reads at most (the next pass takes the rest). */
const PASS_LIMIT = 500;

/** The break-glass sessions as the scheduler reads them, from the sessions read model. */
export class BreakGlassSessions {
  constructor(private readonly views: KeyViews) {}

  /** Running sessions past `expiresAt`. */
  dueForExpiry(now: Date): readonly BreakGlassViewEntry[] {
    return this.views.models.sessions.dueForExpiry(now, PASS_LIMIT);
  }

  /** Ended sessions whose emergency key is not yet recorded as destroyed. */
  awaitingKeyDestruction(): readonly BreakGlassViewEntry[] {
    return this.views.models.sessions.awaitingKeyDestruction(PASS_LIMIT);
  }

  /** Sessions currently running (the `breakglass_sessions_active` gauge). */
  activeCount(): number {
    return this.views.models.sessions.activeCount();
  }

  close(): void {
    // Nothing to release: the read model belongs to the views.
  }
}
