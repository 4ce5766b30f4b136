import { KeyNotFoundError, type ExistingKeyState } from '@keyledger/kms-domain';
import type { KeyViews } from '../views/key-views';

/** A tenant's key from the status view; KEY_NOT_FOUND when absent or owned by another tenant. */
export function lookupKey(views: KeyViews, tenantId: string, keyId: string): ExistingKeyState {
  const entry = views.snapshot().keys.keys[`${tenantId}:${keyId}`];
  if (entry === undefined || !Object.prototype.hasOwnProperty.call(views.snapshot().keys.keys, `${tenantId}:${keyId}`)) {
    throw new KeyNotFoundError({ tenantId, keyId });
  }
  return entry;
}
