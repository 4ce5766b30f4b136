import {
  FixedClock,
  keyStream,
  type AppendOptions,
  type AppendResult,
  type KeyCommand,
  type KeyMaterialRef,
  type NewEvent,
  checkKeyCommand,
} from '@keyledger/kms-domain';
import { handleCommand, loadStream, type CommandSpec } from '../src/commands/command-handler';
import { KEY_AGGREGATE } from '../src/keys/key-repository';
import { MemoryStore } from './support/memory-store';

const actor = { subject: 'user:test', correlationId: 'req-1' };
const tenantId = 'acme';
const keyId = 'signing';
const stream = keyStream(tenantId, keyId);
const clock = new FixedClock(new Date('2025-06-01T00:00:00Z'));
const material = (n: number): KeyMaterialRef => ({ mode: 'wrapped', wrappedMaterialSha256: String(n % 10).repeat(64), masterKeyRef: 'master' });

/**
 * A real store in which another writer gets its append in first: before each of our next `races`
 * appends to the stream, `rival` appends (through the same store, so the expected revision no
 * longer holds). Counts reads and our appends.
 */
class RacingStore extends MemoryStore {
  races = 0;
  rival: (() => Promise<unknown>) | null = null;
  reads = 0;
  ourAppends = 0;
  private inRival = false;

  override async append(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    if (!this.inRival && this.rival && this.races > 0) {
      this.races--;
      this.inRival = true;
      try {
        await this.rival();
      } finally {
        this.inRival = false;
      }
    }
    if (!this.inRival) this.ourAppends++;
    return super.append(streamName, events, options);
  }

  override async readStream(...args: Parameters<MemoryStore['readStream']>): ReturnType<MemoryStore['readStream']> {
    this.reads++;
    return super.readStream(...args);
  }
}

let store: RacingStore;
let counter = 0;
const ports = () => ({ store, provider: undefined as never, clock, ids: { next: () => `id-${++counter}` } });

/** Appends a key command as another writer would (no retries, straight through the handler). */
async function rivalRuns(command: KeyCommand): Promise<void> {
  await handleCommand(ports(), { subject: 'user:rival', correlationId: 'rival' }, { stream, aggregate: KEY_AGGREGATE, command: () => command, maxAttempts: 1 });
}

const base = { tenantId, keyId, now: clock.now() };
const create: KeyCommand = { type: 'CreateKey', ...base, purpose: 'sign', provider: 'local', mode: 'wrapped', material: material(1) };
const rotateBase = { type: 'RotateKey', ...base, reason: 'manual' } as const;

/** A rotation through the handler whose side effect (provisioning material) is counted. */
function rotation(extra: Partial<CommandSpec<KeyCommand, never, never, void, { version: number; material: KeyMaterialRef }>> = {}) {
  const effect = { runs: 0, discarded: [] as number[] };
  const spec = {
    stream,
    aggregate: KEY_AGGREGATE,
    check: (state: Parameters<typeof checkKeyCommand>[1]) => checkKeyCommand(rotateBase, state),
    effect: {
      run: async (_plan: void, state: Parameters<typeof checkKeyCommand>[1]) => {
        effect.runs++;
        const version = state.status === 'Absent' ? 1 : state.versions.length + 1;
        return { version, material: material(version) };
      },
      reuse: (made: { version: number }, _plan: void, state: Parameters<typeof checkKeyCommand>[1]) => state.status !== 'Absent' && state.versions.length + 1 === made.version,
      discard: (made: { version: number }) => void effect.discarded.push(made.version),
    },
    command: (_state: unknown, _plan: void, made: { material: KeyMaterialRef }) => ({ ...rotateBase, material: made.material }),
    ...extra,
  };
  return { effect, run: () => handleCommand(ports(), actor, spec as never) };
}

const codeOf = async (p: Promise<unknown>): Promise<string | null> =>
  p.then(
    () => null,
    (e: unknown) => (e as { code?: string }).code ?? 'NO_CODE',
  );

beforeEach(async () => {
  store = new RacingStore();
  await rivalRuns(create);
  store.reads = 0;
  store.ourAppends = 0;
});

describe('handleCommand', () => {
  it('runs the guards before the side effect: a refused command provisions nothing', async () => {
    await rivalRuns({ type: 'DisableKey', ...base });
    store.ourAppends = 0;
    const { effect, run } = rotation();
    expect(await codeOf(run())).toBe('KEY_DISABLED');
    expect(effect.runs).toBe(0);
    expect(store.ourAppends).toBe(0);
  });

  it('runs the side effect once and appends the decision completed by its result', async () => {
    const { effect, run } = rotation();
    const handled = await run();
    expect(effect.runs).toBe(1);
    expect(handled.revision).toBe(1);
    expect(handled.events).toMatchObject([{ type: 'KeyRotated', data: { version: 2, material: material(2) } }]);
    expect((await loadStream(store, stream, KEY_AGGREGATE)).state).toMatchObject({ primaryVersion: 2 });
  });

  it('after a conflict re-loads and re-decides on the new state, reusing a result that still fits', async () => {
    store.races = 1;
    store.rival = () => rivalRuns({ type: 'ChangeRotationPeriod', ...base, rotationPeriodDays: 30 });
    const { effect, run } = rotation();
    const handled = await run();
    expect(effect.runs).toBe(1);
    expect(store.ourAppends).toBe(2);
    expect(handled.revision).toBe(2);
    expect(handled.state).toMatchObject({ primaryVersion: 2, rotationPeriodDays: 30 });
    expect(effect.discarded).toEqual([]);
  });

  it('does not reuse a result the new state invalidated: CONCURRENCY_CONFLICT, the result discarded', async () => {
    store.races = 1;
    store.rival = () => rivalRuns({ ...rotateBase, material: material(2) });
    const { effect, run } = rotation();
    expect(await codeOf(run())).toBe('CONCURRENCY_CONFLICT');
    expect(effect.runs).toBe(1);
    expect(effect.discarded).toEqual([2]);
    expect((await loadStream(store, stream, KEY_AGGREGATE)).state).toMatchObject({ primaryVersion: 2 });
  });

  it('re-checks the guards after a conflict: a refusal now is their typed error, the result discarded', async () => {
    store.races = 1;
    store.rival = () => rivalRuns({ type: 'DisableKey', ...base });
    const { effect, run } = rotation();
    expect(await codeOf(run())).toBe('KEY_DISABLED');
    expect(effect.runs).toBe(1);
    expect(effect.discarded).toEqual([2]);
  });

  it('a retried command without side effect is decided again on the new state (and refused by it)', async () => {
    store.races = 1;
    store.rival = () => rivalRuns({ type: 'DisableKey', ...base });
    const disable = () => handleCommand(ports(), actor, { stream, aggregate: KEY_AGGREGATE, command: (): KeyCommand => ({ type: 'DisableKey', ...base }) });
    expect(await codeOf(disable())).toBe('INVALID_STATE_TRANSITION');
    expect(store.ourAppends).toBe(1);
  });

  it('gives up after maxAttempts rounds with CONCURRENCY_CONFLICT', async () => {
    store.races = 10;
    let period = 10;
    store.rival = () => rivalRuns({ type: 'ChangeRotationPeriod', ...base, rotationPeriodDays: period++ });
    const decided: number[] = [];
    const command = (): KeyCommand => {
      decided.push(store.log.length);
      return { type: 'SetMinDecryptionVersion', ...base, minDecryptionVersion: 1 };
    };
    const result = handleCommand(ports(), actor, { stream, aggregate: KEY_AGGREGATE, command, maxAttempts: 3 });
    expect(await codeOf(result)).toBe('CONCURRENCY_CONFLICT');
    expect(store.ourAppends).toBe(3);
    expect(store.races).toBe(7);
    expect(decided).toEqual([1, 2, 3]);
  });

  it('If-Match that does not match: PRECONDITION_FAILED, nothing decided, read once', async () => {
    let decided = 0;
    const command = (): KeyCommand => (decided++, { type: 'DisableKey', ...base });
    expect(await codeOf(handleCommand(ports(), actor, { stream, aggregate: KEY_AGGREGATE, command, ifMatch: 5 }))).toBe('PRECONDITION_FAILED');
    expect(decided).toBe(0);
    expect(store.reads).toBe(1);
  });

  it('If-Match that matches but loses a race: CONCURRENCY_CONFLICT without a retry', async () => {
    store.races = 1;
    store.rival = () => rivalRuns({ type: 'ChangeRotationPeriod', ...base, rotationPeriodDays: 30 });
    const { effect, run } = rotation({ ifMatch: 0, maxAttempts: 5 });
    expect(await codeOf(run())).toBe('CONCURRENCY_CONFLICT');
    expect(store.ourAppends).toBe(1);
    expect(effect.runs).toBe(1);
    expect(effect.discarded).toEqual([2]);
  });

  it('appends nothing when there is nothing to do', async () => {
    const handled = await handleCommand(ports(), actor, { stream, aggregate: KEY_AGGREGATE, command: () => null });
    expect(handled).toMatchObject({ events: [], position: null, revision: 0 });
    expect(store.ourAppends).toBe(0);
  });

  it('fails on a stored event that does not decode (EVENT_DECODE_FAILED), deciding nothing', async () => {
    await store.append(stream, [{ type: 'KeyEnabled', schemaVersion: 9, data: { tenantId, keyId, enabledAt: clock.now().toISOString() }, metadata: { eventId: 'x', occurredAt: clock.now().toISOString(), actor: 'a', correlationId: 'c', causationId: null } }]);
    const { effect, run } = rotation();
    expect(await codeOf(run())).toBe('EVENT_DECODE_FAILED');
    expect(effect.runs).toBe(0);
  });
});
