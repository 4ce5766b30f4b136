import { EVENT_SIZE_LIMIT_BYTES, EventStore, NewEvent } from '@keyledger/kms-domain';
import { testEvent, uniqueStream } from './fixtures';

/** Bad input is refused with a clear typed error and leaves nothing behind. */
export function validationContract(store: () => EventStore): void {
  it.each(['', 'tenant/key', 'key 1', 'key\n1', 'key\u0000', '$all', '-leading', 'k'.repeat(513), 'ключ'])(
    'refuses the stream name %j with STREAM_NAME_INVALID',
    async (name) => {
      await expect(store().append(name, [testEvent()])).rejects.toMatchObject({ code: 'STREAM_NAME_INVALID' });
      await expect(store().readStream(name)).rejects.toMatchObject({ code: 'STREAM_NAME_INVALID' });
    },
  );

  it.each(['', 'key-created', 'keyCreated', 'Key Created', 'Key\nCreated', '$Deleted'])('refuses the event type %j with EVENT_TYPE_INVALID', async (type) => {
    const stream = uniqueStream();
    await expect(store().append(stream, [testEvent(), testEvent(type)])).rejects.toMatchObject({ code: 'EVENT_TYPE_INVALID' });
    expect(await store().readStream(stream)).toEqual([]);
  });

  it('refuses an event over 1 MiB with EVENT_TOO_LARGE and its size, and accepts one just under', async () => {
    const stream = uniqueStream();
    const big = testEvent('AuditBlobRecorded', { blob: 'x'.repeat(EVENT_SIZE_LIMIT_BYTES) });
    await expect(store().append(stream, [big])).rejects.toMatchObject({ code: 'EVENT_TOO_LARGE', limitBytes: EVENT_SIZE_LIMIT_BYTES });
    const fits = testEvent('AuditBlobRecorded', { blob: 'x'.repeat(EVENT_SIZE_LIMIT_BYTES - 2048) });
    await expect(store().append(stream, [fits])).resolves.toMatchObject({ revision: 0 });
  });

  const notJson: [string, object][] = [
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['a function', { f: () => 1 }],
    ['a Date', { at: new Date(0) }],
    ['a bigint', { n: BigInt(1) }],
  ];
  it.each(notJson)('refuses data holding %s with EVENT_INVALID', async (_label, data) => {
    await expect(store().append(uniqueStream(), [testEvent('KeyCreated', data)])).rejects.toMatchObject({ code: 'EVENT_INVALID' });
  });

  const badMetadata: [string, Partial<NewEvent['metadata']>][] = [
    ['an empty event id', { eventId: '' }],
    ['a control character in the actor', { actor: 'alice\u0007' }],
    ['a non-ISO occurredAt', { occurredAt: 'yesterday' }],
    ['a missing correlation id', { correlationId: undefined as unknown as string }],
  ];
  it.each(badMetadata)('refuses metadata with %s with EVENT_INVALID', async (_label, metadata) => {
    await expect(store().append(uniqueStream(), [testEvent('KeyCreated', {}, metadata)])).rejects.toMatchObject({ code: 'EVENT_INVALID' });
  });

  it('refuses an empty append, a non-integer schema version and a bad expected revision with EVENT_INVALID', async () => {
    const stream = uniqueStream();
    await expect(store().append(stream, [])).rejects.toMatchObject({ code: 'EVENT_INVALID' });
    await expect(store().append(stream, [{ ...testEvent(), schemaVersion: 1.5 }])).rejects.toMatchObject({ code: 'EVENT_INVALID' });
    await expect(store().append(stream, [testEvent()], { expectedRevision: -1 })).rejects.toMatchObject({ code: 'EVENT_INVALID' });
    expect(await store().readStream(stream)).toEqual([]);
  });
}
