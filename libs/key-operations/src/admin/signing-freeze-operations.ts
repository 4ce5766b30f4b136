import {
  GLOBAL_SCOPE,
  foldEvents,
  signingFreezeDecider,
  signingFreezeStream,
  type SigningFreezeCommand,
  type SigningFreezeEvent,
  readWholeStream,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { toNewEvents } from '../keys/event-context';
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

  private async handle(actor: Actor, command: SigningFreezeCommand): Promise<FreezeStatus> {
    const stream = signingFreezeStream(GLOBAL_SCOPE);
    const recorded = await readWholeStream(this.ports.store, stream);
    const state = foldEvents(signingFreezeDecider, recorded.map((r) => ({ type: r.type, schemaVersion: r.schemaVersion, data: r.data }) as SigningFreezeEvent));
    const events = signingFreezeDecider.decide(command, state);
    const expectedRevision = recorded.length === 0 ? ('no-stream' as const) : recorded[recorded.length - 1].revision;
    const appended = await this.ports.store.append(stream, toNewEvents(events, actor, command.now, this.ports.ids), { expectedRevision });
    await this.views.waitFor(appended.position);
    return this.status();
  }
}
