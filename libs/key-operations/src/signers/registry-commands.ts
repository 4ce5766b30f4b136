import {
  decodeSignerRegistryEvent,
  signerRegistryDecider,
  signerRegistryStream,
  type SignerEntry,
  type SignerRegistryCommand,
  type SignerRegistryEvent,
  type SignerRegistryState,
} from '@keyledger/kms-domain';
import { handleCommand, type Loaded } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';

/** Decide-and-append rounds per command; before each, the writer catches up with other processes' appends. */
const MAX_ATTEMPTS = 8;
/** Events per catch-up read; below the adapters' 10,000 cap, so a short page means the end of the stream. */
const CATCH_UP_PAGE = 1000;

/** An own entry of the registry (kids such as `constructor` are ordinary kids). */
export function registryEntry(state: SignerRegistryState, kid: string): SignerEntry | undefined {
  return Object.prototype.hasOwnProperty.call(state.signers, kid) ? state.signers[kid] : undefined;
}

/** Sees the current registry and returns the command to run, or null when there is nothing to do. */
export type RegistryPlan = (state: SignerRegistryState) => SignerRegistryCommand | null;

/** What a registry command appended: its events and the global position of the last one. */
export interface RegistryWrite {
  readonly events: readonly SignerRegistryEvent[];
  readonly position: number;
}

function setOwn(record: Record<string, SignerEntry>, kid: string, entry: SignerEntry): void {
  Object.defineProperty(record, kid, { value: entry, enumerable: true, writable: true, configurable: true });
}

/**
 * Runs registry commands through the command handler and `signerRegistryDecider` on the single
 * `signerregistry-global` stream with optimistic concurrency. It keeps the folded registry and the stream revision it
 * reflects, so a command reads only the events appended since then (by other processes) instead
 * of the whole stream; its own appends are folded in without a read. Commands of one writer run
 * one at a time, so a process never conflicts with itself; when another process appended first
 * (CONCURRENCY_CONFLICT) it catches up and decides again, at most MAX_ATTEMPTS times. `plan`
 * returning null makes registration idempotent across processes.
 */
export class SignerRegistryWriter {
  private readonly stream = signerRegistryStream();
  private readonly signers: Record<string, SignerEntry> = {};
  /** Revision of the last event folded into `signers`; -1 before the stream exists. */
  private revision = -1;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly ports: KeyOperationsPorts) {}

  /** Queues one command behind this writer's earlier ones; null when `plan` found nothing to do. */
  run(actor: Actor, plan: RegistryPlan): Promise<RegistryWrite | null> {
    const result = this.tail.then(() => this.handle(actor, plan));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async handle(actor: Actor, plan: RegistryPlan): Promise<RegistryWrite | null> {
    const handled = await handleCommand(this.ports, actor, {
      stream: this.stream,
      aggregate: { decider: signerRegistryDecider, decode: decodeSignerRegistryEvent },
      // Each round catches up from the cached revision instead of reading the whole stream.
      load: () => this.loadCached(),
      command: (state) => plan(state),
      maxAttempts: MAX_ATTEMPTS,
    });
    if (handled.position === null) return null;
    // Our own events, exactly as decided; anything unexpected is left to the next catch-up.
    if (handled.revision === this.revision + handled.events.length) this.foldOwn(handled.events, handled.revision);
    return { events: handled.events, position: handled.position };
  }

  private async loadCached(): Promise<Loaded<SignerRegistryState>> {
    await this.catchUp();
    return { state: { signers: this.signers }, revision: this.revision < 0 ? null : this.revision };
  }

  /** Folds in the events after the cached revision, page by page. */
  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.ports.store.readStream(this.stream, { fromRevision: this.revision + 1, maxCount: CATCH_UP_PAGE });
      let fresh = 0;
      for (const recorded of page) {
        if (recorded.revision <= this.revision) continue; // a store that ignores fromRevision
        this.apply(decodeSignerRegistryEvent(recorded));
        this.revision = recorded.revision;
        fresh++;
      }
      if (page.length < CATCH_UP_PAGE || fresh === 0) return;
    }
  }

  private foldOwn(events: readonly SignerRegistryEvent[], lastRevision: number): void {
    for (const event of events) this.apply(event);
    this.revision = lastRevision;
  }

  /** The aggregate's own evolve, run on a registry of the one entry concerned (no copy of the whole map). */
  private apply(event: SignerRegistryEvent): void {
    const kid = event.data.kid;
    const one: Record<string, SignerEntry> = {};
    const current = registryEntry({ signers: this.signers }, kid);
    if (current) setOwn(one, kid, current);
    const next = registryEntry(signerRegistryDecider.evolve({ signers: one }, event), kid);
    if (next) setOwn(this.signers, kid, next);
  }
}
