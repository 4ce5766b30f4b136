import { KmsApiError } from './aws-error';
import { keyOperations } from './key-operations';
import type { KeyStore } from './key-store';
import type { RequestBody } from './request-fields';
import { signingOperations } from './signing-operations';
import { symmetricOperations } from './symmetric-operations';

type Operation = (store: KeyStore, body: RequestBody) => Record<string, unknown>;

const OPERATIONS: Readonly<Record<string, Operation>> = { ...keyOperations, ...symmetricOperations, ...signingOperations };

/** Names of the TrentService operations the server implements. */
export const SUPPORTED_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

/** Runs one TrentService operation against the key store; unknown operations fail as AWS does. */
export function runOperation(store: KeyStore, operation: string, body: RequestBody): Record<string, unknown> {
  const run = Object.prototype.hasOwnProperty.call(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
  if (run === undefined) throw new KmsApiError('UnknownOperationException', `Operation ${operation} is not supported by kms-test-server.`);
  return run(store, body);
}
