import type { KeyOperationsTelemetry } from '../deps';
import type { BatchOutcome } from './batch';
import type { CryptoOperations } from './crypto-operations';
import type { MacOperations } from './mac-operations';

/** The batch methods and the operation each item counts as (the single call's name). */
const BATCH_OPERATIONS = {
  signBatch: 'sign',
  verifyBatch: 'verify',
  encryptBatch: 'encrypt',
  decryptBatch: 'decrypt',
  rewrapBatch: 'rewrap',
  dataKeyBatch: 'data_key',
} as const satisfies Partial<Record<keyof CryptoOperations, string>>;

/** The MAC batch methods and the operation each item counts as. */
export const MAC_BATCH_OPERATIONS = { macBatch: 'mac', verifyMacBatch: 'verify_mac' } as const satisfies Partial<Record<keyof MacOperations, string>>;

const REFUSALS: ReadonlySet<string> = new Set(['SIGNING_FROZEN', 'CIRCUIT_OPEN']);
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CODE.test(code) ? code : 'UNEXPECTED';
};

/**
 * Makes a batch count as its items in `kms_operations_total` and `kms_errors_total`: each item
 * once, by its own outcome; a batch refused as a whole counts each of its items with that code.
 */
export function countBatchItems<T extends object>(crypto: T, telemetry: KeyOperationsTelemetry, table: Readonly<Record<string, string>> = BATCH_OPERATIONS): void {
  for (const [method, operation] of Object.entries(table)) {
    const original = ((crypto as Record<string, (...a: unknown[]) => unknown>)[method]).bind(crypto) as (tenantId: string, keyId: string, items: readonly unknown[], ...rest: unknown[]) => Promise<BatchOutcome<unknown>[]>;
    const failed = (code: string, tenantId: string): void => {
      telemetry.operation(operation, REFUSALS.has(code) ? 'refused' : 'error');
      telemetry.error(operation, code, tenantId);
    };
    const counted = async (tenantId: string, keyId: string, items: readonly unknown[], ...rest: unknown[]): Promise<BatchOutcome<unknown>[]> => {
      let outcomes: BatchOutcome<unknown>[];
      try {
        outcomes = await original(tenantId, keyId, items, ...rest);
      } catch (error) {
        const code = codeOf(error);
        for (let i = 0; i < items.length; i++) failed(code, tenantId);
        throw error;
      }
      for (const o of outcomes) {
        if (o.ok) telemetry.operation(operation, 'success');
        else failed(codeOf(o.error), tenantId);
      }
      return outcomes;
    };
    Object.defineProperty(crypto, method, { value: counted, configurable: true, writable: true });
  }
}
