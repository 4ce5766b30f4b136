import { KeyNotFoundError, checkKeyCommand, keyStream, type KeyState, type TrimKeyVersions } from '@keyledger/kms-domain';
import { handleCommand, type Loaded } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';
import { shredVersionsBelow } from '../material/material-shredding';
import type { ProviderGateway } from '../provider/provider-gateway';
import { existing } from './key-view';
import { KEY_AGGREGATE } from './key-repository';

/**
 * A trim through the command handler: the decider's guards run first, then the material of the
 * versions below `minAvailableVersion` is shredded (idempotent), then `KeyVersionsTrimmed` is
 * appended. Used by the API's trim route and the scheduler's retention trim.
 */
export function handleTrim(ports: KeyOperationsPorts, gateway: ProviderGateway, actor: Actor, command: TrimKeyVersions, ifMatch?: number): Promise<Loaded<KeyState> & { readonly position: number | null }> {
  const { tenantId, keyId, minAvailableVersion } = command;
  return handleCommand(ports, actor, {
    stream: keyStream(tenantId, keyId),
    aggregate: KEY_AGGREGATE,
    ifMatch,
    check: (state) => checkKeyCommand(command, state),
    effect: {
      run: async (_plan, state) => {
        if (!existing(state)) throw new KeyNotFoundError({ tenantId, keyId });
        await shredVersionsBelow(ports, gateway, actor, state, minAvailableVersion);
      },
      // Shredding is idempotent and holds whatever else changed: decide again on the new state.
      reuse: () => true,
    },
    command: () => command,
  });
}
