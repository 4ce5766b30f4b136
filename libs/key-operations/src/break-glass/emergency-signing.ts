import { createHash } from 'node:crypto';
import { SHA256_DIGEST_BYTES, ValidationError, breakGlassStream, checkBreakGlassCommand, type KeySigningAlgorithm } from '@keyledger/kms-domain';
import { handleCommand } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';
import type { Signers } from '../signers/signers';
import type { KeyViews } from '../views/key-views';
import { BreakGlassError } from './break-glass-errors';
import type { EmergencyKeyCustody } from './emergency-keys';
import { SESSION_AGGREGATE } from './session-store';
import type { BreakGlassSessionView } from './session-view';

/** One emergency signature request: the message or its SHA-256 digest, and why. */
export type EmergencySignInput = ({ readonly message: Uint8Array } | { readonly digest: Uint8Array }) & {
  /** The principal asking; must be the session's requester. */
  readonly signer: string;
  /** Tenant the payload belongs to (default: the session's tenant; required for a global session). */
  readonly tenantId?: string;
  readonly justification: string;
};

export interface EmergencySignature {
  readonly sessionId: string;
  /** DER ECDSA P-256 over the SHA-256 digest. */
  readonly signature: Buffer;
  readonly kid: string;
  readonly algorithm: KeySigningAlgorithm;
  /** SHA-256 hex of the signed payload, as recorded. */
  readonly digest: string;
  readonly sequence: number;
  readonly signedAt: string;
}

const MAX_ATTEMPTS = 3;

/**
 * The signing step of a session, through the command handler. Order: requester check, the
 * record's guards on the loaded session (active, unexpired, scope, justification), the signature
 * in custody and the signer registered (the side effect), then the `BreakGlassSignatureIssued`
 * append; the signature leaves only after that append succeeded and is zeroed when it fails. A
 * conflict re-reads the session, re-checks the guards and records the same signature with the
 * next sequence (at most MAX_ATTEMPTS rounds).
 */
export class EmergencySigning {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
    private readonly signers: Signers,
    private readonly custody: EmergencyKeyCustody,
  ) {}

  /** Signs of one session run one after another (in this process): each gets its own sequence, none conflicts. */
  private readonly lanes = new SessionLanes();

  sign(actor: Actor, session: BreakGlassSessionView, input: EmergencySignInput): Promise<EmergencySignature> {
    return this.lanes.run(session.sessionId, () => this.signNow(actor, session, input));
  }

  private async signNow(actor: Actor, session: BreakGlassSessionView, input: EmergencySignInput): Promise<EmergencySignature> {
    if (input.signer !== session.requester) {
      throw new BreakGlassError('FORBIDDEN', `Only the requester of break-glass session ${session.sessionId} may sign with it`);
    }
    const digest = digestOf(input);
    const tenantId = input.tenantId ?? (session.scope.kind === 'tenant' ? session.scope.tenantId : undefined);
    if (tenantId === undefined) throw new ValidationError('tenantId', 'required for a global break-glass session');
    const command = { type: 'RecordBreakGlassSignature', sessionId: session.sessionId, tenantId, digest: digest.toString('hex'), justification: input.justification } as const;
    const handled = await handleCommand(this.ports, actor, {
      stream: breakGlassStream(session.sessionId),
      aggregate: SESSION_AGGREGATE,
      maxAttempts: MAX_ATTEMPTS,
      check: (state) => checkBreakGlassCommand({ ...command, now: this.ports.clock.now() }, state),
      effect: {
        run: () => this.signAndRegister(actor, session, digest),
        // The signature stays valid; the record is decided again on the new state.
        reuse: () => true,
        discard: (signature) => void signature.fill(0),
      },
      command: () => ({ ...command, now: this.ports.clock.now() }),
    });
    const [event] = handled.events;
    const signature = handled.result;
    if (event?.type !== 'BreakGlassSignatureIssued' || signature === undefined || handled.position === null) {
      signature?.fill(0);
      throw new Error('unexpected break-glass decision');
    }
    await this.views.waitFor(handled.position).catch(() => undefined);
    const { kid, sequence, signedAt } = event.data;
    return { sessionId: command.sessionId, signature, kid, algorithm: 'ECDSA_P256_SHA256', digest: event.data.digest, sequence, signedAt };
  }

  private async signAndRegister(actor: Actor, session: BreakGlassSessionView, digest: Buffer): Promise<Buffer> {
    const signature = await this.custody.sign(kidOf(session), digest);
    try {
      await this.ensureSigner(actor, session);
      return signature;
    } catch (error) {
      signature.fill(0);
      throw error;
    }
  }

  /** Registers the session's signer with its validity window unless the registry already has it. */
  async ensureSigner(actor: Actor, session: BreakGlassSessionView): Promise<void> {
    const signer = session.signer;
    if (!signer || this.signers.find(signer.kid)) return;
    await this.signers.register(actor, {
      kid: signer.kid,
      publicKey: signer.publicKey,
      algorithm: signer.algorithm,
      owner: { kind: 'break-glass', sessionId: session.sessionId },
      validFrom: new Date(signer.activatedAt),
      validUntil: new Date(signer.expiresAt),
    });
  }
}

/**
 * A queue per session id: a task starts when the previous one of the same session settled. Written
 * by hand because the libraries at hand (async-mutex, p-queue) lock one resource, not one per key;
 * the map holds only sessions with a sign in flight, so it is bounded by concurrent requests.
 */
class SessionLanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(sessionId, tail);
    void tail.then(() => {
      if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
    });
    return result;
  }
}

function kidOf(session: BreakGlassSessionView): string {
  if (!session.signer) throw new BreakGlassError('EMERGENCY_KEY_UNAVAILABLE', `Break-glass session ${session.sessionId} has no emergency key`);
  return session.signer.kid;
}

function digestOf(input: EmergencySignInput): Buffer {
  if ('digest' in input) {
    if (input.digest.length !== SHA256_DIGEST_BYTES) throw new ValidationError('digest', `expected ${SHA256_DIGEST_BYTES} bytes (SHA-256)`);
    return Buffer.from(input.digest);
  }
  return createHash('sha256').update(input.message).digest();
}
