import type { ValidationReport } from './admin/admin-operations';
import type { AdminOperations } from './admin/admin-operations';
import type { BreakGlassOperations } from './break-glass/break-glass-operations';
import type { CryptoOperations } from './crypto/crypto-operations';
import type { MacOperations } from './crypto/mac-operations';
import type { PublicKeys } from './crypto/public-keys';

/** The operations `kms_operations_total` and `kms_errors_total` name (label `operation`). */
export const OPERATION_NAMES = [
  'sign',
  'verify',
  'encrypt',
  'decrypt',
  'rewrap',
  'data_key',
  'mac',
  'verify_mac',
  'public_key',
  'jwks',
  'test_key_retrieval',
  'validate',
  'breakglass_request',
  'breakglass_approve',
  'breakglass_sign',
  'breakglass_close',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

/** How an operation ended: served, failed, or refused on purpose (signing freeze, open breaker). */
export type OperationOutcomeLabel = 'success' | 'error' | 'refused';

/** What the instrumented operations report; structurally a subset of the observability lib's `KmsMetrics`. */
export interface OperationTelemetry {
  operation(operation: string, outcome: OperationOutcomeLabel): void;
  error(operation: string, code: string, tenantId: string): void;
}

/** Codes that mean keyledger refused on purpose rather than failed. */
const REFUSALS: ReadonlySet<string> = new Set(['SIGNING_FROZEN', 'CIRCUIT_OPEN']);
/** Error codes are fixed upper-case names; anything else (a foreign error) is counted as UNEXPECTED. */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The stable code of a thrown error, bounded to the catalogued shape. */
export function operationErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CODE.test(code) ? code : 'UNEXPECTED';
}

/** The outcome label for a failure code. */
export function outcomeOf(code: string): Exclude<OperationOutcomeLabel, 'success'> {
  return REFUSALS.has(code) ? 'refused' : 'error';
}

/** How one method of a facade is reported: its operation name, its tenant, and failures it answers with instead of throwing. */
interface MethodSpec {
  readonly operation: OperationName;
  readonly tenant: (args: readonly unknown[]) => string;
  readonly failureOf?: (result: unknown) => string | undefined;
}

type Specs<T> = Partial<Record<keyof T & string, MethodSpec>>;

/** The tenant is the first argument (crypto and public-key operations). */
const firstArg = (args: readonly unknown[]): string => (typeof args[0] === 'string' ? args[0] : '');
/** No tenant (admin round trips, break-glass sessions, which may be global). */
const noTenant = (): string => '';

/**
 * Wraps the methods named in `specs` so every call counts once in `kms_operations_total` by outcome
 * and every failure once in `kms_errors_total` by code. The target's own methods call each other
 * unwrapped (rewrap's inner decrypt and encrypt are not counted again); everything else on the
 * facade reaches the target unchanged, bound to it.
 */
function instrument<T extends object>(target: T, specs: Specs<T>, telemetry: OperationTelemetry): T {
  const wrapped = new Map<PropertyKey, unknown>();
  for (const [name, spec] of Object.entries(specs) as [string, MethodSpec][]) {
    const method = (target as Record<string, unknown>)[name] as (...args: unknown[]) => Promise<unknown>;
    const fail = (code: string, args: readonly unknown[]): void => {
      telemetry.operation(spec.operation, outcomeOf(code));
      telemetry.error(spec.operation, code, spec.tenant(args));
    };
    wrapped.set(name, async (...args: unknown[]) => {
      let result: unknown;
      try {
        result = await method.apply(target, args);
      } catch (error) {
        fail(operationErrorCode(error), args);
        throw error;
      }
      const failure = spec.failureOf?.(result);
      if (failure === undefined) telemetry.operation(spec.operation, 'success');
      else fail(failure, args);
      return result;
    });
  }
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, property) {
      const own = wrapped.get(property);
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(t, property, t);
      if (typeof value !== 'function') return value;
      let b = bound.get(property);
      if (b === undefined) bound.set(property, (b = (value as (...a: unknown[]) => unknown).bind(t)));
      return b;
    },
  });
}

/** A validation report that failed: the code of its first failed step. */
const failedValidation = (result: unknown): string | undefined => {
  const report = result as ValidationReport;
  if (report.status === 'PASS') return undefined;
  const step = Object.values(report.tests).find((s) => s.status === 'FAIL');
  return step?.error !== undefined && CODE.test(step.error) ? step.error : 'VALIDATION_FAILED';
};

/** The facades the apps call, each operation reported once where every entry path (HTTP, CLI, jobs) passes. */
export function instrumentOperations(
  parts: { crypto: CryptoOperations; mac: MacOperations; publicKeys: PublicKeys; admin: AdminOperations; breakGlass: BreakGlassOperations },
  telemetry: OperationTelemetry,
): { crypto: CryptoOperations; mac: MacOperations; publicKeys: PublicKeys; admin: AdminOperations; breakGlass: BreakGlassOperations } {
  return {
    mac: instrument(parts.mac, {
      mac: { operation: 'mac', tenant: firstArg },
      verifyMac: { operation: 'verify_mac', tenant: firstArg },
    }, telemetry),
    crypto: instrument(parts.crypto, {
      sign: { operation: 'sign', tenant: firstArg },
      verify: { operation: 'verify', tenant: firstArg },
      encrypt: { operation: 'encrypt', tenant: firstArg },
      decrypt: { operation: 'decrypt', tenant: firstArg },
      rewrap: { operation: 'rewrap', tenant: firstArg },
      dataKey: { operation: 'data_key', tenant: firstArg },
    }, telemetry),
    publicKeys: instrument(parts.publicKeys, {
      publicKey: { operation: 'public_key', tenant: firstArg },
      jwks: { operation: 'jwks', tenant: firstArg },
    }, telemetry),
    admin: instrument(parts.admin, {
      testKeyRetrieval: { operation: 'test_key_retrieval', tenant: firstArg },
      validate: { operation: 'validate', tenant: noTenant, failureOf: failedValidation },
    }, telemetry),
    breakGlass: instrument(parts.breakGlass, {
      request: { operation: 'breakglass_request', tenant: noTenant },
      approve: { operation: 'breakglass_approve', tenant: noTenant },
      sign: { operation: 'breakglass_sign', tenant: noTenant },
      close: { operation: 'breakglass_close', tenant: noTenant },
    }, telemetry),
  };
}
