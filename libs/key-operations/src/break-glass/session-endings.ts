import { breakGlassStream, checkBreakGlassCommand, isConcurrencyConflict, type SessionReadModel } from '@keyledger/kms-domain';
import { handleCommand } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';
import type { Signers } from '../signers/signers';
import type { EmergencyKeyCustody } from './emergency-keys';
import { SESSION_AGGREGATE, handleSessionCommand, loadSession } from './session-store';

/** What an expiry run did; `failed` names the session and the error code. */
export interface BreakGlassExpiryReport {
  readonly expired: readonly string[];
  readonly keysDestroyed: readonly string[];
  readonly failed: readonly { readonly sessionId: string; readonly code: string }[];
}

export const BREAK_GLASS_SYSTEM_ACTOR: Actor = { subject: 'service:signing-breakglass', correlationId: 'break-glass-maintenance' };

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
};

/** BREAKGLASS_REQUEST_TTL_MINUTES default: a request nobody approved within an hour expires. */
export const DEFAULT_REQUEST_TTL_MINUTES = 60;

/** Sessions one expiry run handles at most (the next run takes the rest). */
const SESSIONS_PER_RUN = 500;

/**
 * The ends of sessions: destroying an ended session's emergency key (custody first, then the
 * `BreakGlassEmergencyKeyDestroyed` record, then the signer retired, staying verifiable), expiry at
 * ttl, and the key-lost record for sessions whose key did not survive a restart.
 */
export class SessionEndings {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly signers: Signers,
    private readonly custody: EmergencyKeyCustody,
    private readonly sessions: SessionReadModel,
    /** BREAKGLASS_REQUEST_TTL_MINUTES in seconds: requests not approved by then expire. */
    private readonly requestTtlSeconds: number = DEFAULT_REQUEST_TTL_MINUTES * 60,
  ) {}

  /** Destroys the emergency key of an ended session and records it; false when nothing was left to do. */
  async destroyKey(actor: Actor, sessionId: string): Promise<boolean> {
    const loaded = await loadSession(this.ports, sessionId);
    const state = loaded.state;
    if (state.status === 'KeyDestroyed') {
      await this.signers.retire(actor, state.issued?.signer.kid ?? `breakglass-${sessionId}`, 'break-glass session ended');
      return false;
    }
    if (state.status !== 'Ended' || state.issued === null) return false;
    const kid = state.issued.signer.kid;
    const command = { type: 'DestroyEmergencyKey', sessionId, now: this.ports.clock.now() } as const;
    try {
      await handleCommand(this.ports, actor, {
        stream: breakGlassStream(sessionId),
        aggregate: SESSION_AGGREGATE,
        loaded,
        check: (s) => checkBreakGlassCommand(command, s),
        // Custody first, then the record; a destroyed key stays destroyed, so a retry records it on the new state.
        effect: { run: () => this.custody.destroy(kid), reuse: () => true },
        command: () => command,
      });
    } catch (error) {
      // Another writer recorded the end first (its record, or a refusal on the new state): nothing left to record.
      if (!isConcurrencyConflict(error) && (error as { code?: unknown }).code !== 'INVALID_STATE_TRANSITION') throw error;
    }
    await this.signers.retire(actor, kid, 'break-glass session ended');
    return true;
  }

  /**
   * Expires running sessions past their ttl and requests not approved within the request ttl at
   * `now`, and destroys the keys of every ended session
   * not yet recorded as destroyed. Each session stands alone: one failure does not stop the others.
   */
  async expire(now: Date, actor: Actor = BREAK_GLASS_SYSTEM_ACTOR): Promise<BreakGlassExpiryReport> {
    const expired: string[] = [];
    const keysDestroyed: string[] = [];
    const failed: { sessionId: string; code: string }[] = [];
    const requestCutoff = new Date(now.getTime() - this.requestTtlSeconds * 1000);
    const due = [...this.sessions.dueForExpiry(now, SESSIONS_PER_RUN), ...this.sessions.requestedBefore(requestCutoff, SESSIONS_PER_RUN)];
    for (const session of due) {
      // One round: a conflict means another writer changed the session; the next run looks again.
      const command = { type: 'ExpireBreakGlass', sessionId: session.sessionId, now, requestTtlSeconds: this.requestTtlSeconds } as const;
      await handleSessionCommand(this.ports, actor, command, { maxAttempts: 1 })
        .then(() => expired.push(session.sessionId))
        .catch((error: unknown) => isConcurrencyConflict(error) || failed.push({ sessionId: session.sessionId, code: codeOf(error) }));
    }
    const ended = new Set([...expired, ...this.sessions.awaitingKeyDestruction(SESSIONS_PER_RUN).map((s) => s.sessionId)]);
    for (const sessionId of [...ended].sort()) {
      await this.destroyKey(actor, sessionId)
        .then((done) => done && keysDestroyed.push(sessionId))
        .catch((error: unknown) => failed.push({ sessionId, code: codeOf(error) }));
    }
    return { expired, keysDestroyed, failed };
  }

  /**
   * After a start: every active session whose key this custody no longer holds (memory keys never
   * survive a restart) is recorded key-lost and can no longer sign. Returns those session ids.
   */
  async recordLostKeys(actor: Actor = BREAK_GLASS_SYSTEM_ACTOR): Promise<string[]> {
    const lost: string[] = [];
    for (const session of this.sessions.withStatus('Active', { limit: SESSIONS_PER_RUN }).items) {
      if (session.status !== 'Active' || (await this.custody.holds(session.signer.kid))) continue;
      const detail =
        this.custody.location === 'memory'
          ? 'the emergency key lived in the memory of a process that restarted'
          : 'the emergency key is no longer in the HSM';
      const now = this.ports.clock.now();
      await handleSessionCommand(this.ports, actor, { type: 'RecordEmergencyKeyLost', sessionId: session.sessionId, detail, now });
      lost.push(session.sessionId);
    }
    return lost;
  }
}
