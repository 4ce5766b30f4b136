/** One item's answer in a batch: its value, or the error it alone failed with. */
export type BatchOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Runs `fn` on every item in order, one at a time (the local work is CPU-bound; a provider-resident
 * key's calls go through the breaker one by one rather than as a burst), catching each item's
 * failure in its own outcome so it cannot affect another item.
 */
export async function settleAll<I, T>(items: readonly I[], fn: (item: I) => Promise<T>): Promise<BatchOutcome<T>[]> {
  const out: BatchOutcome<T>[] = [];
  for (const item of items) {
    try {
      out.push({ ok: true, value: await fn(item) });
    } catch (error) {
      out.push({ ok: false, error });
    }
  }
  return out;
}
