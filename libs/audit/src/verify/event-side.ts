import { BREAK_GLASS_EVENT_TYPES, hasEventType } from '@keyledger/kms-domain';
import type { AuditRecord } from './audit-record';
import { BreakGlassRules } from './break-glass-rules';
import { IndexedFindings } from './indexed-findings';
import { LifecycleRules } from './lifecycle-rules';
import { checkSchema } from './schema-check';

/**
 * The half of the replay that needs each event decoded: unreadable records, duplicate event ids,
 * schemas, break-glass and key lifecycle rules. It never looks at hashes, so it can run on its own
 * thread over the same rows while the chain half hashes them. Checkpoint events that pass their
 * schema are left to the chain half, which holds the tree.
 */
export class EventSide {
  readonly found = new IndexedFindings();
  private readonly eventIds = new Map<string, number>();
  private readonly breakGlass = new BreakGlassRules();
  private readonly lifecycle = new LifecycleRules();

  /** Checks the record at replay index `index`. */
  check(r: AuditRecord, index: number): void {
    const found = this.found;
    found.at = index;
    const event = r.event;
    if (event === null) {
      found.report({ position: r.position, stream: r.streamName, rule: 'record', detail: r.problem ?? 'unreadable record' });
      return;
    }
    const eventId = event.metadata.eventId;
    const first = this.eventIds.get(eventId);
    if (first !== undefined) found.report({ position: r.position, stream: r.streamName, rule: 'duplicate-event-id', detail: `event id already used at position ${first}` });
    else this.eventIds.set(eventId, r.position);
    const checked = checkSchema(event, found.report);
    // A schema fault is a finding (reported above); the audit's own events (decoded: null) are the chain half's.
    if (!checked.ok || checked.event === null) return;
    const decoded = checked.event;
    if (hasEventType(decoded, BREAK_GLASS_EVENT_TYPES)) this.breakGlass.check(event, decoded, found.report);
    else this.lifecycle.check(event, decoded, found.report);
  }

  /** End of the replay of `count` events: the rules that look at whole sessions. */
  finish(count: number): IndexedFindings {
    this.found.at = count;
    this.breakGlass.finish(this.found.report);
    return this.found;
  }
}
