import type { BatchOutcome } from '@keyledger/key-operations';
import type { ApiConfig } from '@keyledger/runtime';
import { toErrorBody } from '../http/error-filter';

/** API_BATCH_MAX_ITEMS and BATCH_PARTIAL_FAILURE_STATUS. */
export interface BatchSettings {
  readonly maxItems: number;
  /** The status of a batch in which some item failed (the per-item results are in the body either way). */
  readonly partialFailureStatus: 200 | 400;
}

export const DEFAULT_BATCH_SETTINGS: BatchSettings = { maxItems: 1000, partialFailureStatus: 400 };
export const BATCH_SETTINGS = Symbol.for('keyledger.BATCH_SETTINGS');
export const batchSettingsOf = (api: ApiConfig): BatchSettings => ({ maxItems: api.batchMaxItems, partialFailureStatus: api.batchPartialFailureStatus });

const STATUS = Symbol('keyledger.httpStatus');

/** The HTTP status an action's answer asks for (200 unless it is a batch with a failed item). */
export const statusOf = (answer: object): number => (answer as { [STATUS]?: number })[STATUS] ?? 200;

/**
 * `{results: [...]}` in input order: each item's answer, or `{error: {code, message}}` with the
 * message of that item's own failure (never another item's data), each with the item's
 * `reference` when it gave one. An item failing with an unexpected error fails the request (a 500
 * the filter logs), as the single call would.
 */
export function batchAnswer<T>(
  deps: { readonly batch?: BatchSettings },
  items: readonly { readonly reference?: string }[],
  outcomes: readonly BatchOutcome<T>[],
  answer: (value: T) => object,
): object {
  let failed = false;
  const results = outcomes.map((o, i) => {
    const reference = items[i].reference === undefined ? {} : { reference: items[i].reference };
    if (o.ok) return { ...reference, ...answer(o.value) };
    const { status, body } = toErrorBody(o.error);
    if (status >= 500 && body.code === 'INTERNAL') throw o.error;
    failed = true;
    return { ...reference, error: { code: body.code, message: body.message } };
  });
  const body = { results };
  Object.defineProperty(body, STATUS, { value: failed ? (deps.batch ?? DEFAULT_BATCH_SETTINGS).partialFailureStatus : 200, enumerable: false });
  return body;
}
