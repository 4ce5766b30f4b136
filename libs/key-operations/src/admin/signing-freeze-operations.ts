import { GLOBAL_SCOPE, decodeSigningFreezeEvent, signingFreezeDecider, signingFreezeStream, type SigningFreezeCommand } from '@keyledger/kms-domain';
import { handleCommand } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';
import type { KeyViews } from '../views/key-views';

/** State of the global signing freeze as the admin endpoints report it. */
export interface FreezeStatus {
  readonly frozen: boolean;
  readonly reason: string | null;
  readonly frozenAt: string | null;
}

/** Freezes and resumes signing service-wide (fail closed during a KMS or signing incident). */
export class SigningFreezeOperations {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
  ) {}

  freeze(actor: Actor, reason: string): Promise<FreezeStatus> {
    return this.handle(actor, { type: 'FreezeSigning', scope: GLOBAL_SCOPE, reason, actor: actor.subject, now: this.ports.clock.now() });
  }

  resume(actor: Actor): Promise<FreezeStatus> {
    return this.handle(actor, { type: 'ResumeSigning', scope: GLOBAL_SCOPE, actor: actor.subject, now: this.ports.clock.now() });
  }

  status(): FreezeStatus {
    const entry = this.views.models.freeze.get('global');
    if (!entry || entry.status !== 'Frozen') return { frozen: false, reason: null, frozenAt: null };
    return { frozen: true, reason: entry.reason, frozenAt: entry.frozenAt };
  }

  /** Freeze and resume are safe to retry on a conflict: the re-decision sees the other writer's freeze or resume. */
  private async handle(actor: Actor, command: SigningFreezeCommand): Promise<FreezeStatus> {
    const handled = await handleCommand(this.ports, actor, {
      stream: signingFreezeStream(GLOBAL_SCOPE),
      aggregate: { decider: signingFreezeDecider, decode: decodeSigningFreezeEvent },
      command: () => command,
    });
    if (handled.position !== null) await this.views.waitFor(handled.position);
    return this.status();
  }
}
