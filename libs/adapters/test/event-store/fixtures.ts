import { randomUUID } from 'node:crypto';
import { NewEvent } from '@keyledger/kms-domain';

/** A valid event for tests; `data` and any metadata field can be overridden. */
export function testEvent(type = 'KeyCreated', data: object = { keyId: 'k1' }, metadata: Partial<NewEvent['metadata']> = {}): NewEvent {
  return {
    type,
    schemaVersion: 1,
    data,
    metadata: {
      eventId: randomUUID(),
      occurredAt: '2025-01-02T03:04:05.000Z',
      actor: 'user:alice',
      correlationId: randomUUID(),
      causationId: null,
      ...metadata,
    },
  };
}

/** A stream name no other test (or earlier run against a shared server) uses. */
export function uniqueStream(category = 'contract'): string {
  return `${category}-${randomUUID()}`;
}

/** Collects the next `count` items from an async iterator, failing after `timeoutMs`. */
export async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5000): Promise<T[]> {
  const out: T[] = [];
  if (count === 0) return out;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${out.length}/${count} items`)), timeoutMs);
  });
  try {
    while (out.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) break;
      out.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}
