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
import { ViewFold, combineProjections } from './view-fold';

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
  return combineProjections<KeyledgerViews>({
    keys: keysProjection,
    breakers: breakersProjection,
    breakGlass: breakGlassProjection,
    signerRegistry: signerRegistryProjection,
    signingFreeze: signingFreezeProjection,
  });
}
