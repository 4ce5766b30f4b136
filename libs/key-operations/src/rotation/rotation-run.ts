import { isConcurrencyConflict, type ExistingKeyState, type PageRequest, type RotationReason, type RowPage } from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import type { KeyLifecycle } from '../keys/key-lifecycle-operations';
import { handleKeyCommand, loadKey } from '../keys/key-repository';
import { existing } from '../keys/key-view';
import type { KeyViews } from '../views/key-views';
import { RotationPacer, type Sleep } from './rotation-pacer';
import { effectiveRotationStatus, errorCodeOf } from './rotation-policy';

/** `due`: Enabled keys whose primary version reached its period (the scheduler); `all`: every Enabled key (rotate-all-keys). */
export type RotationSelection = 'due' | 'all';

/** Options of one rotation run; see `KeyRotation.run`. */
export interface RotationRunOptions {
  readonly select: RotationSelection;
  readonly reason: RotationReason;
  /** Fleet-wide maximum key age in days; a key's own shorter period wins. */
  readonly maxAgeDays?: number;
  /** Cap on rotations started per minute (undefined: no cap). */
  readonly maxPerMinute?: number;
  readonly jitterRatio?: number;
  /** Append `KeyRotationFailed` for each failed key (default: true for `due`, false for `all`). */
  readonly recordFailures?: boolean;
  readonly runId?: string;
  /**
   * The instant the run's selection is taken at (default: now). A rotate-all job passes its
   * `startedAt`, so re-running it after a restart meets only the keys it has not rotated yet.
   */
  readonly cutoff?: Date;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  readonly monotonic?: () => number;
  /** Called once per key considered, e.g. to count outcomes in metrics. */
  readonly onOutcome?: (outcome: RotationOutcome) => void;
}

export type RotationOutcomeKind = 'rotated' | 'skipped' | 'failed';

export interface RotationOutcome {
  readonly tenantId: string;
  readonly keyId: string;
  readonly outcome: RotationOutcomeKind;
  readonly version?: number;
  readonly code?: string;
}

/** What one run did. `status` is `partial` when a key failed or the run was aborted. */
export interface RotationRunReport {
  readonly runId: string;
  readonly status: 'success' | 'partial';
  readonly total: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: readonly { readonly tenantId: string; readonly keyId: string; readonly code: string }[];
  readonly keys: readonly { readonly tenantId: string; readonly keyId: string; readonly version: number }[];
  readonly aborted: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** Attempts per key when its stream keeps moving for reasons other than a rotation. */
const MAX_ATTEMPTS = 3;
/** Candidates read from the read model per page. */
const CANDIDATE_PAGE = 200;

/**
 * The one rotation use case behind both `POST /api/admin/kms/rotate-all-keys` and the scheduler's
 * nightly job. Each key is re-read from its stream, checked, then rotated with If-Match on the
 * revision read: when another writer (a second scheduler replica) got there first the append
 * conflicts, the key is re-read, and a key that is no longer due is skipped, so one period never
 * sees two rotations. A failure is reported (and recorded as `KeyRotationFailed`) and the run goes on.
 */
export class KeyRotation {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
    private readonly lifecycle: KeyLifecycle,
  ) {}

  /**
   * Candidates as of `startedAt`, a page at a time from the keys read model's indexes: `due` keys
   * by due time, `all` keys whose primary version predates the run. A key this run (or anyone)
   * rotates leaves both sets, so a run is O(candidates) in total and never meets a key twice. Each
   * page is shuffled, so replicas starting together work on different keys.
   */
  async *candidates(startedAt: Date, options: Pick<RotationRunOptions, 'select' | 'maxAgeDays' | 'random'>): AsyncGenerator<ExistingKeyState> {
    let cursor: string | null = null;
    do {
      const request: PageRequest = { limit: CANDIDATE_PAGE, cursor };
      const page: RowPage<ExistingKeyState> =
        options.select === 'all'
          ? this.views.models.keys.enabledRotatedBefore(startedAt, request)
          : this.views.models.keys.dueForRotation(startedAt, options.maxAgeDays, request);
      yield* shuffle([...page.items], options.random ?? Math.random);
      cursor = page.next;
    } while (cursor !== null);
  }

  async run(actor: Actor, options: RotationRunOptions): Promise<RotationRunReport> {
    const started = options.cutoff ?? this.ports.clock.now();
    const startedAt = started.toISOString();
    const runId = options.runId ?? `rotation-${this.ports.ids.next()}`.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 128);
    const pacer = new RotationPacer(options);
    let total = 0;
    const rotated: { tenantId: string; keyId: string; version: number }[] = [];
    const failed: { tenantId: string; keyId: string; code: string }[] = [];
    let skipped = 0;
    let aborted = false;
    // Keys this run rotated within the instant it started: their new primary is not younger than
    // the run, so the `all` selection would offer them again (a handful with a real clock).
    const sameInstant = new Set<string>();
    for await (const key of this.candidates(started, options)) {
      const id = `${key.tenantId}:${key.keyId}`;
      if (sameInstant.has(id)) continue;
      total++;
      await pacer.slot();
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const outcome = await this.rotateOne(actor, key, options, runId, started);
      if (outcome.outcome === 'rotated' && this.ports.clock.now().getTime() <= started.getTime()) sameInstant.add(id);
      options.onOutcome?.(outcome);
      if (outcome.outcome === 'rotated') rotated.push({ tenantId: key.tenantId, keyId: key.keyId, version: outcome.version ?? 0 });
      else if (outcome.outcome === 'failed') failed.push({ tenantId: key.tenantId, keyId: key.keyId, code: outcome.code ?? 'UNEXPECTED' });
      else skipped++;
    }
    const status = failed.length === 0 && !aborted ? 'success' : 'partial';
    const finishedAt = this.ports.clock.now().toISOString();
    return { runId, status, total, rotated: rotated.length, skipped, failed, keys: rotated, aborted, startedAt, finishedAt };
  }

  private async rotateOne(actor: Actor, key: ExistingKeyState, options: RotationRunOptions, runId: string, started: Date): Promise<RotationOutcome> {
    const ids = { tenantId: key.tenantId, keyId: key.keyId };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        const loaded = await loadKey(this.ports.store, key.tenantId, key.keyId);
        if (!existing(loaded.state) || loaded.revision === null || !this.stillWanted(loaded.state, options, started)) return { ...ids, outcome: 'skipped' };
        const result = await this.lifecycle.rotate(actor, key.tenantId, key.keyId, { ifMatch: loaded.revision, reason: options.reason });
        return { ...ids, outcome: 'rotated', version: result.key.primaryVersion };
      } catch (error) {
        const raced = isConcurrencyConflict(error) || errorCodeOf(error) === 'PRECONDITION_FAILED';
        // rotate-all: a concurrent change means someone else acted on the key; never rotate it twice.
        if (raced && options.select === 'all') return { ...ids, outcome: 'skipped' };
        if (raced) continue;
        return this.failed(actor, key, options, runId, errorCodeOf(error));
      }
    }
    return this.failed(actor, key, options, runId, 'CONCURRENCY_CONFLICT');
  }

  /** Re-checked on the stream: `all` skips a key whose primary is younger than the run (someone rotated it meanwhile). */
  private stillWanted(state: ExistingKeyState, options: RotationRunOptions, started: Date): boolean {
    if (options.select === 'all') return state.status === 'Enabled' && Date.parse(state.lastRotatedAt) <= started.getTime();
    return effectiveRotationStatus(state, this.ports.clock.now(), options.maxAgeDays).due;
  }

  private async failed(actor: Actor, key: ExistingKeyState, options: RotationRunOptions, runId: string, code: string): Promise<RotationOutcome> {
    if (options.recordFailures ?? options.select === 'due') {
      const command = { type: 'RecordKeyRotationFailure', tenantId: key.tenantId, keyId: key.keyId, now: this.ports.clock.now(), reason: options.reason, code, runId } as const;
      // Best effort: the store may be what failed; the outcome is still reported and counted.
      await handleKeyCommand(this.ports, actor, command).catch(() => undefined);
    }
    return { tenantId: key.tenantId, keyId: key.keyId, outcome: 'failed', code };
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
