import {
  BreakGlassView,
  BreakersView,
  KeysView,
  SignerRegistryView,
  SigningFreezeView,
  breakGlassProjection,
  breakersProjection,
  keysProjection,
  signerRegistryProjection,
  signingFreezeProjection,
} from '@keyledger/kms-domain';
import { ViewFold, combineFolds, foldOfProjection } from './view-fold';

/** Every status view keyledger serves, fed by one subscription. */
export type KeyledgerViews = {
  keys: KeysView;
  breakers: BreakersView;
  breakGlass: BreakGlassView;
  signerRegistry: SignerRegistryView;
  signingFreeze: SigningFreezeView;
};

/** The domain's view folds combined into one fold for a ProjectionRunner. */
export function keyledgerViewsFold(): ViewFold<KeyledgerViews> {
  return combineFolds<KeyledgerViews>({
    keys: foldOfProjection(keysProjection),
    breakers: foldOfProjection(breakersProjection),
    breakGlass: foldOfProjection(breakGlassProjection),
    signerRegistry: foldOfProjection(signerRegistryProjection),
    signingFreeze: foldOfProjection(signingFreezeProjection),
  });
}
