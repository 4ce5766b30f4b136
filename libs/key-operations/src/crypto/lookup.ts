import { KeyNotFoundError, type ExistingKeyState } from '@keyledger/kms-domain';
import type { KeyViews } from '../views/key-views';

/** A tenant's key from the keys read model; KEY_NOT_FOUND when absent or owned by another tenant. */
export function lookupKey(views: KeyViews, tenantId: string, keyId: string): ExistingKeyState {
  const entry = views.models.keys.get(tenantId, keyId);
  if (entry === undefined) throw new KeyNotFoundError({ tenantId, keyId });
  return entry;
}
