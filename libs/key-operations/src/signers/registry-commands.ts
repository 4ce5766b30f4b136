import {
  foldEvents,
  isConcurrencyConflict,
  signerRegistryDecider,
  signerRegistryStream,
  type SignerEntry,
  type SignerRegistryCommand,
  type SignerRegistryEvent,
  type SignerRegistryState,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { toNewEvents } from '../keys/event-context';

const MAX_ATTEMPTS = 5;

/** An own entry of the registry (kids such as `constructor` are ordinary kids). */
export function registryEntry(state: SignerRegistryState, kid: string): SignerEntry | undefined {
  return Object.prototype.hasOwnProperty.call(state.signers, kid) ? state.signers[kid] : undefined;
}

/**
 * Runs one registry command through `signerRegistryDecider` on the single `signerregistry-global`
 * stream with optimistic concurrency, retrying on a concurrent append. `plan` sees the current
 * state and returns the command, or null when there is nothing to do (already registered or
 * retired): registration is idempotent across processes.
 */
export async function handleRegistryCommand(
  ports: KeyOperationsPorts,
  actor: Actor,
  plan: (state: SignerRegistryState) => SignerRegistryCommand | null,
): Promise<{ readonly events: readonly SignerRegistryEvent[]; readonly position: number } | null> {
  const stream = signerRegistryStream();
  for (let attempt = 1; ; attempt++) {
    const recorded = await ports.store.readStream(stream);
    const state = foldEvents(signerRegistryDecider, recorded.map((r) => ({ type: r.type, schemaVersion: r.schemaVersion, data: r.data }) as SignerRegistryEvent));
    const command = plan(state);
    if (command === null) return null;
    const events = signerRegistryDecider.decide(command, state);
    const expectedRevision = recorded.length === 0 ? ('no-stream' as const) : recorded[recorded.length - 1].revision;
    try {
      const appended = await ports.store.append(stream, toNewEvents(events, actor, command.now, ports.ids), { expectedRevision });
      return { events, position: appended.position };
    } catch (error) {
      if (!isConcurrencyConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
