import { KmsApiError, validation } from './aws-error';
import { keyMetadata, type KeyStore } from './key-store';
import { numberField, stringField, type RequestBody } from './request-fields';

const DAY_MS = 86_400_000;

/** CreateKey, DescribeKey, ListKeys, CreateAlias and the key-state operations (these take a key id or key ARN, never an alias). */
export const keyOperations = {
  CreateKey(store: KeyStore, body: RequestBody) {
    const key = store.create({
      spec: stringField(body, 'KeySpec') ?? stringField(body, 'CustomerMasterKeySpec'),
      usage: stringField(body, 'KeyUsage'),
      description: stringField(body, 'Description'),
    });
    return { KeyMetadata: keyMetadata(key, store.accountId) };
  },
  DescribeKey(store: KeyStore, body: RequestBody) {
    return { KeyMetadata: keyMetadata(store.resolve(body['KeyId']), store.accountId) };
  },
  ListKeys(store: KeyStore, body: RequestBody) {
    const limit = numberField(body, 'Limit') ?? 100;
    const start = Number(stringField(body, 'Marker') ?? '0');
    const keys = store.list();
    const page = keys.slice(start, start + limit).map((k) => ({ KeyId: k.id, KeyArn: k.arn }));
    const truncated = start + limit < keys.length;
    return { Keys: page, Truncated: truncated, ...(truncated ? { NextMarker: String(start + limit) } : {}) };
  },
  CreateAlias(store: KeyStore, body: RequestBody) {
    store.createAlias(stringField(body, 'AliasName') ?? '', stringField(body, 'TargetKeyId') ?? '');
    return {};
  },
  EnableKey(store: KeyStore, body: RequestBody) {
    const key = store.resolveKeyOnly(body['KeyId']);
    if (key.state === 'PendingDeletion') throw validationState(key.arn);
    key.state = 'Enabled';
    return {};
  },
  DisableKey(store: KeyStore, body: RequestBody) {
    const key = store.resolveKeyOnly(body['KeyId']);
    if (key.state === 'PendingDeletion') throw validationState(key.arn);
    key.state = 'Disabled';
    return {};
  },
  ScheduleKeyDeletion(store: KeyStore, body: RequestBody) {
    const key = store.resolveKeyOnly(body['KeyId']);
    const days = numberField(body, 'PendingWindowInDays') ?? 30;
    if (days < 7 || days > 30) throw validation('PendingWindowInDays must be between 7 and 30.');
    if (key.state === 'PendingDeletion') throw validationState(key.arn);
    key.state = 'PendingDeletion';
    key.deletionDate = new Date(Date.now() + days * DAY_MS);
    return { KeyId: key.arn, DeletionDate: key.deletionDate.getTime() / 1000, KeyState: key.state, PendingWindowInDays: days };
  },
  CancelKeyDeletion(store: KeyStore, body: RequestBody) {
    const key = store.resolveKeyOnly(body['KeyId']);
    if (key.state !== 'PendingDeletion') throw validationState(key.arn);
    key.state = 'Disabled';
    delete key.deletionDate;
    return { KeyId: key.arn };
  },
};

function validationState(arn: string): KmsApiError {
  return new KmsApiError('KMSInvalidStateException', `${arn} is not in a valid state for this operation.`);
}
