import type { KeyStatus } from '../key/key-state';
import type { BreakerViewEntry } from '../projections/breakers-view';
import type { BreakGlassViewEntry } from '../projections/break-glass-view';
import type { KeyViewEntry } from '../projections/keys-view';
import type { ProjectedEvent } from '../projections/projection';
import type { SigningFreezeViewEntry } from '../projections/signing-freeze-view';
import type { SignerEntry } from '../signer-registry/signer-registry-types';

/**
 * One page of a query in a stable order, with the cursor of the next page (null on the last).
 * Cursors are opaque strings; a malformed one is refused by the adapter as a validation error.
 */
export interface RowPage<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

/**
 * Which page to read: at most `limit` rows (a whole number, at least 1) after `cursor` (from the
 * start without one). A bad limit is refused as a validation error on field `limit`.
 */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | null;
}

/** Keys by status, maintained as events are applied (never counted by a scan). */
export interface KeyCounts {
  readonly total: number;
  readonly byStatus: Readonly<Record<KeyStatus, number>>;
}

/** The keys read model: one row per key, indexed by tenant, rotation due time, status and age. */
export interface KeyReadModel {
  get(tenantId: string, keyId: string): KeyViewEntry | undefined;
  /** The tenant owning a key id (key ids are unique across tenants). */
  tenantOf(keyId: string): string | undefined;
  /** A tenant's keys by key id. */
  listTenant(tenantId: string, page: PageRequest): RowPage<KeyViewEntry>;
  /**
   * Enabled keys whose rotation is due at `now`: the primary version is older than the key's period,
   * or older than `maxAgeDays` when given. Ordered by due time; a rotated key leaves the set.
   */
  dueForRotation(now: Date, maxAgeDays: number | undefined, page: PageRequest): RowPage<KeyViewEntry>;
  /** Enabled keys overdue at `now` (due for longer than `overdueAfterDays`), counted through the due-time index. */
  overdueCount(now: Date, maxAgeDays: number | undefined, overdueAfterDays?: number): number;
  /** Enabled keys whose primary version was created at or before `before`, oldest first (rotate-all). */
  enabledRotatedBefore(before: Date, page: PageRequest): RowPage<KeyViewEntry>;
  /** Enabled wrapped keys, most recently rotated first (cache warm-up); `limit` a whole number ≥ 0. */
  recentlyRotated(limit: number): readonly KeyViewEntry[];
  /** Pending-deletion keys whose window has passed at `now`. */
  deletionDue(now: Date, page: PageRequest): RowPage<KeyViewEntry>;
  /**
   * Enabled or Disabled keys whose `retainVersions` asks for a trim now (`retentionTrimTarget` not
   * null), by tenant then key: only those keys, through an index (the nightly trim scans no others).
   */
  trimDue(page: PageRequest): RowPage<KeyViewEntry>;
  /** Keys in one status, by tenant then key. */
  withStatus(status: KeyStatus, page: PageRequest): RowPage<KeyViewEntry>;
  counts(): KeyCounts;
}

/** The signer registry read model. */
export interface SignerReadModel {
  get(kid: string): SignerEntry | undefined;
  /** Break-glass signers not retired (few: one per session). */
  activeBreakGlass(): readonly SignerEntry[];
  /**
   * Signing keys whose versions are not all registered (or, destroyed, whose signers are not all
   * retired): what the registry's reconciliation still has to do, by tenant then key.
   */
  keysNeedingSigners(page: PageRequest): RowPage<KeyViewEntry>;
}

/** The break-glass sessions read model. */
export interface SessionReadModel {
  get(sessionId: string): BreakGlassViewEntry | undefined;
  withStatus(status: BreakGlassViewEntry['status'], page: PageRequest): RowPage<BreakGlassViewEntry>;
  /** Running sessions whose `expiresAt` has passed, by session id; `limit` a whole number ≥ 0. */
  dueForExpiry(now: Date, limit: number): readonly BreakGlassViewEntry[];
  /** Sessions still `Requested` that were requested at or before `cutoff`, oldest first; `limit` a whole number ≥ 0. */
  requestedBefore(cutoff: Date, limit: number): readonly BreakGlassViewEntry[];
  /** Ended sessions that issued an emergency key not yet recorded as destroyed, by session id; `limit` a whole number ≥ 0. */
  awaitingKeyDestruction(limit: number): readonly BreakGlassViewEntry[];
  /** Active or key-lost sessions (the `breakglass_sessions_active` gauge). */
  activeCount(): number;
}

/** The breakers read model: every breaker instance's last recorded position. */
export interface BreakerReadModel {
  get(name: string, instance: string): BreakerViewEntry | undefined;
  /** Instances of the named breakers that are not closed, in the order of `names` (each once), then by instance. */
  outOf(names: readonly string[]): readonly BreakerViewEntry[];
}

/** The signing freeze read model, by scope key (`global`, `tenant:<id>`). */
export interface FreezeReadModel {
  get(scopeKey: string): SigningFreezeViewEntry | undefined;
}

/**
 * The persistent read models behind every status view: rows folded from the store's events by the
 * domain's table rules, with the position of the last applied event committed atomically with the
 * rows it produced. `apply` ignores events at or before the stored position (idempotent under
 * replay, and safe when several processes feed one file), and point reads go through a bounded
 * cache invalidated by the events applied. Memory is bounded by that cache, not by the data.
 */
export interface ReadModels {
  /** Position of the last applied event (0 before any). */
  position(): number;
  /** Folds a page of events in global order, rows and position in one transaction. */
  apply(page: readonly ProjectedEvent[]): void;
  /** Drops every row and the position (rebuild from zero). */
  reset(): void;
  readonly keys: KeyReadModel;
  readonly signers: SignerReadModel;
  readonly sessions: SessionReadModel;
  readonly breakers: BreakerReadModel;
  readonly freeze: FreezeReadModel;
  close(): void;
}
