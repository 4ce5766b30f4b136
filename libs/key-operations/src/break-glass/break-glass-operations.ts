import {
  SessionNotFoundError,
  breakGlassDecider,
  breakGlassStream,
  checkBreakGlassCommand,
  BREAK_GLASS_EVENT_TYPES,
  hasEventType,
  isConcurrencyConflict,
  type ApproverRole,
  type BreakGlassViewEntry,
  type KeyledgerEvent,
  type Scope,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import type { Signers } from '../signers/signers';
import type { KeyViews } from '../views/key-views';
import { BreakGlassError } from './break-glass-errors';
import type { EmergencyKeyCustody } from './emergency-keys';
import { EmergencySigning, type EmergencySignInput, type EmergencySignature } from './emergency-signing';
import { DEFAULT_OUTAGE_LEASE_MS, outageMinutesAt } from './outage-tracker';
import { BREAK_GLASS_SYSTEM_ACTOR, DEFAULT_REQUEST_TTL_MINUTES, SessionEndings, type BreakGlassExpiryReport } from './session-endings';
import { SESSION_AGGREGATE, handleSessionCommand } from './session-store';
import { handleCommand } from '../commands/command-handler';
import { toSessionView, type BreakGlassSessionView } from './session-view';

/** What break-glass reports: the `breakglass_sessions_active` gauge and `breakglass_signatures_total`. */
export interface BreakGlassTelemetry {
  breakglassSessionsActive(count: number): void;
  breakglassSignature(): void;
}

export interface BreakGlassOptions {
  readonly custody: EmergencyKeyCustody;
  /** BREAKGLASS_MIN_OUTAGE_MINUTES: how long the signing provider must have been unavailable (default 30). */
  readonly minOutageMinutes?: number;
  /** BREAKGLASS_REQUEST_TTL_MINUTES: a request not approved within this expires (default 60). */
  readonly requestTtlMinutes?: number;
  /** BREAKGLASS_OUTAGE_LEASE_SECONDS in ms: an instance's outage counts this long after it last confirmed it (default 60 s). */
  readonly outageLeaseMs?: number;
  readonly telemetry?: BreakGlassTelemetry;
  readonly onError?: (error: unknown) => void;
}

export interface BreakGlassRequestInput {
  readonly requester: string;
  readonly scope: Scope;
  readonly justification: string;
  readonly incidentRef: string;
  readonly ttlSeconds?: number;
}

export const DEFAULT_MIN_OUTAGE_MINUTES = 30;
const EMERGENCY_ALGORITHM = 'ECDSA_P256_SHA256' as const;
const SESSION_STATUSES: readonly BreakGlassViewEntry['status'][] = ['Requested', 'Active', 'KeyLost', 'Ended', 'KeyDestroyed'];
/** Sessions listed per state at most. */
const LIST_LIMIT = 1000;
/** Events after which this process must no longer hold the session's key. */
const KEY_ENDING_EVENTS = new Set(['BreakGlassClosed', 'BreakGlassExpired', 'BreakGlassEmergencyKeyLost', 'BreakGlassEmergencyKeyDestroyed']);

/** The kid of a session's emergency signer. */
export const emergencyKid = (sessionId: string): string => `breakglass-${sessionId}`;

/**
 * Break-glass emergency signing: a session is requested during a long signing outage, approved by
 * two distinct principals holding approver-security and approver-finance (neither the requester),
 * whose second approval creates the emergency key in custody and registers its signer with the
 * session's validity window; the requester signs, each signature recorded before it is returned;
 * close or expiry destroys the key. The sessions view is folded from the key views' subscription,
 * so construct this before `KeyOperations.start()`.
 */
export class BreakGlassOperations {
  private readonly endings: SessionEndings;
  private readonly signing: EmergencySigning;
  private telemetry: BreakGlassTelemetry | undefined;
  private readonly minOutageMinutes: number;
  private readonly requestTtlSeconds: number;
  private readonly outageLeaseMs: number;

  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
    signers: Signers,
    private readonly options: BreakGlassOptions,
  ) {
    this.minOutageMinutes = options.minOutageMinutes ?? DEFAULT_MIN_OUTAGE_MINUTES;
    this.telemetry = options.telemetry;
    this.requestTtlSeconds = (options.requestTtlMinutes ?? DEFAULT_REQUEST_TTL_MINUTES) * 60;
    this.outageLeaseMs = options.outageLeaseMs ?? DEFAULT_OUTAGE_LEASE_MS;
    this.endings = new SessionEndings(ports, signers, options.custody, views.models.sessions, this.requestTtlSeconds);
    this.signing = new EmergencySigning(ports, views, signers, options.custody);
    views.onEvent((_recorded, event) => this.apply(event));
  }

  /** Where this process keeps emergency keys. */
  get custody(): EmergencyKeyCustody {
    return this.options.custody;
  }

  /** Sets the metrics recorder (the app builds it after the operations) and reports the gauge. */
  setTelemetry(telemetry: BreakGlassTelemetry): void {
    this.telemetry = telemetry;
    telemetry.breakglassSessionsActive(this.activeCount());
  }

  /** Opens a session; only during an outage of the signing provider of at least the minimum length (else NO_OUTAGE). */
  async request(actor: Actor, input: BreakGlassRequestInput): Promise<BreakGlassSessionView> {
    const now = this.ports.clock.now();
    this.requireOutage(now);
    const sessionId = this.ports.ids.next();
    const command = { type: 'RequestBreakGlass', sessionId, now, ...input } as const;
    // A fresh id: nothing to read.
    const loaded = { state: breakGlassDecider.initialState(), revision: null };
    return this.settled(sessionId, (await handleSessionCommand(this.ports, actor, command, { loaded })).position);
  }

  /**
   * Records one approval through the command handler. The session's guards run first; only the
   * approval that completes the quorum then creates the emergency key, which activates the session
   * (and is destroyed again when the append fails), and the signer is registered.
   */
  async approve(actor: Actor, sessionId: string, approver: string, role: ApproverRole): Promise<BreakGlassSessionView> {
    const now = this.ports.clock.now();
    // The outage must still be real when each approval (and so the activation) happens.
    this.requireOutage(now);
    const base = { type: 'ApproveBreakGlass', sessionId, now, approver, role, requestTtlSeconds: this.requestTtlSeconds } as const;
    const kid = emergencyKid(sessionId);
    const handled = await handleCommand(this.ports, actor, {
      stream: breakGlassStream(sessionId),
      aggregate: SESSION_AGGREGATE,
      check: (state) => checkBreakGlassCommand(base, state),
      effect: {
        run: async (plan) => (plan.activates ? this.options.custody.create(kid) : null),
        // After a conflict: a key made for an activation fits only an approval that still activates (and no key one that does not).
        reuse: (publicKey, plan) => (publicKey !== null) === plan.activates,
        discard: async (publicKey) => {
          if (publicKey !== null) await this.options.custody.destroy(kid);
        },
      },
      command: (_state, _plan, publicKey) => (publicKey === null ? base : { ...base, emergencySigner: { kid, publicKey, algorithm: EMERGENCY_ALGORITHM } }),
    });
    if (handled.position === null) throw new Error('an approval appended nothing');
    const view = await this.settled(sessionId, handled.position);
    if (handled.result === null) return view;
    await this.signing.ensureSigner(actor, view).catch((error: unknown) => this.options.onError?.(error));
    return this.get(sessionId);
  }

  /** Signs for the requester; the signature is returned only after its record was appended. */
  async sign(actor: Actor, sessionId: string, input: EmergencySignInput): Promise<EmergencySignature> {
    const signature = await this.signing.sign(actor, this.get(sessionId), input);
    this.telemetry?.breakglassSignature();
    return signature;
  }

  /** Closes a session with a reason; an issued emergency key is destroyed and its signer retired. */
  async close(actor: Actor, sessionId: string, closedBy: string, reason: string): Promise<BreakGlassSessionView> {
    const now = this.ports.clock.now();
    const closed = await handleSessionCommand(this.ports, actor, { type: 'CloseBreakGlass', sessionId, now, closedBy, reason });
    await this.settled(sessionId, closed.position);
    await this.endings.destroyKey(actor, sessionId).catch((error: unknown) => {
      if (!isConcurrencyConflict(error)) throw error;
    });
    return this.get(sessionId);
  }

  /**
   * The scheduler's job: expires sessions past their ttl at `now`, destroys their emergency keys
   * (and those of any ended session not yet recorded as destroyed) and retires their signers.
   */
  expireBreakGlassSessions(now: Date, actor: Actor = BREAK_GLASS_SYSTEM_ACTOR): Promise<BreakGlassExpiryReport> {
    return this.endings.expire(now, actor);
  }

  /** Call once at start, after the views replayed: active sessions whose key is gone are recorded key-lost. */
  recordLostKeys(actor: Actor = BREAK_GLASS_SYSTEM_ACTOR): Promise<string[]> {
    return this.endings.recordLostKeys(actor);
  }

  /** One session from the view (SESSION_NOT_FOUND when absent). */
  get(sessionId: string): BreakGlassSessionView {
    const entry = this.views.models.sessions.get(sessionId);
    if (!entry) throw new SessionNotFoundError(sessionId);
    return toSessionView(entry);
  }

  /** Sessions, optionally in one state (`active` = Active), newest request first: at most `limit` per state. */
  list(status?: BreakGlassViewEntry['status'], limit = LIST_LIMIT): BreakGlassSessionView[] {
    const statuses = status === undefined ? SESSION_STATUSES : [status];
    return statuses
      .flatMap((s) => this.views.models.sessions.withStatus(s, { limit }).items)
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt) || a.sessionId.localeCompare(b.sessionId))
      .map(toSessionView);
  }

  /** The scope of a session (for JWKS: which tenants see its signer). */
  scopeOf(sessionId: string): Scope | undefined {
    return this.views.models.sessions.get(sessionId)?.scope;
  }

  /** Running sessions (Active or KeyLost): the value of `breakglass_sessions_active`. */
  activeCount(): number {
    return this.views.models.sessions.activeCount();
  }

  /** Minutes the signing provider has been unavailable at `now` (null: available). */
  outageMinutes(now: Date = this.ports.clock.now()): number | null {
    return outageMinutesAt(this.views.models.breakers, now, this.outageLeaseMs);
  }

  private requireOutage(now: Date): void {
    const minutes = outageMinutesAt(this.views.models.breakers, now, this.outageLeaseMs);
    if (minutes === null) {
      throw new BreakGlassError(
        'NO_OUTAGE',
        'The signing provider is available (no instance holds an open or half-open kms-signing-key breaker confirmed within BREAKGLASS_OUTAGE_LEASE_SECONDS); break-glass is for outages only',
      );
    }
    if (minutes < this.minOutageMinutes) {
      throw new BreakGlassError('NO_OUTAGE', `The signing provider has been unavailable for ${minutes} min; break-glass needs ${this.minOutageMinutes} min (BREAKGLASS_MIN_OUTAGE_MINUTES)`);
    }
  }

  private async settled(sessionId: string, position: number): Promise<BreakGlassSessionView> {
    await this.views.waitFor(position);
    return this.get(sessionId);
  }

  private apply(event: KeyledgerEvent | null): void {
    if (event === null || !hasEventType(event, BREAK_GLASS_EVENT_TYPES)) return;
    if (KEY_ENDING_EVENTS.has(event.type)) this.dropHeldKey(event.data.sessionId);
    this.telemetry?.breakglassSessionsActive(this.activeCount());
  }

  /**
   * Another process (or this one) ended the session: a key this custody still holds goes now (a
   * memory key of this process, or an HSM object when another process recorded the end).
   */
  private dropHeldKey(sessionId: string): void {
    this.options.custody.destroy(emergencyKid(sessionId)).catch((error: unknown) => this.options.onError?.(error));
  }
}
