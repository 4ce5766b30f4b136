import { randomUUID } from 'node:crypto';
import { InMemoryReadModels, signingFreezeStream, type KeyledgerEvent, type ProjectedEvent, type ReadModels } from '@keyledger/kms-domain';
import { KeyViews } from '../src';
import { toNewEvents } from '../src/keys/event-context';
import { MemoryStore } from './support/memory-store';

const at = new Date('2026-01-01T00:00:00Z');
const actor = { subject: 'user:ops', correlationId: 'views-spec' };
const ids = { next: () => randomUUID() };

/** `n` freeze/resume events for tenant scopes t0..t9 (each a row of the freeze read model). */
function freezeEvents(n: number, from = 0): KeyledgerEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const scope = { kind: 'tenant', tenantId: `t${i % 10}` } as const;
    return i % 2 === 0
      ? { type: 'SigningFrozen', schemaVersion: 1, data: { scope, reason: 'drill', frozenBy: 'user:ops', frozenAt: at.toISOString() } }
      : { type: 'SigningResumed', schemaVersion: 1, data: { scope, resumedBy: 'user:ops', resumedAt: at.toISOString() } };
  }) as KeyledgerEvent[];
}

async function seeded(n: number): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const event of freezeEvents(n)) {
    const scope = (event.data as { scope: { kind: 'tenant'; tenantId: string } }).scope;
    await store.append(signingFreezeStream(scope), toNewEvents([event], actor, at, ids));
  }
  return store;
}

/** Read models that count the events they are given (to see what a start replays). */
function counting(models: ReadModels): { models: ReadModels; applied: number[] } {
  const applied: number[] = [];
  const apply = models.apply.bind(models);
  models.apply = (page: readonly ProjectedEvent[]) => {
    applied.push(...page.map((p) => p.position));
    apply(page);
  };
  return { models, applied };
}

describe('KeyViews, the one projection runner', () => {
  it('resumes from the position stored with the rows: a restart folds only the events after it', async () => {
    const store = await seeded(30);
    const { models, applied } = counting(new InMemoryReadModels());
    const first = new KeyViews(store, models);
    await first.start();
    await first.stop();
    expect(models.position()).toBe(30);
    for (const event of freezeEvents(5, 30)) await store.append(signingFreezeStream({ kind: 'tenant', tenantId: 'late' }), toNewEvents([event], actor, at, ids));
    applied.length = 0;
    const second = new KeyViews(store, models);
    await second.start();
    await second.stop();
    expect(applied).toEqual([31, 32, 33, 34, 35]);
    expect(second.appliedPosition()).toBe(35);
    // Event 35 (index 34) froze tenant t4 after the restart.
    expect(models.freeze.get('tenant:t4')).toMatchObject({ status: 'Frozen' });
  });

  it('rebuilds read models that are ahead of the store (a store replaced under them) from zero', async () => {
    const models = new InMemoryReadModels();
    await new KeyViews(await seeded(20), models).start();
    const shorter = await seeded(4);
    const views = new KeyViews(shorter, models);
    await views.start();
    await views.stop();
    expect(models.position()).toBe(4);
    expect(models.freeze.get('tenant:t9')).toBeUndefined();
  });

  it('rebuild replays every event a page at a time and reports progress', async () => {
    const store = await seeded(2500);
    const views = new KeyViews(store, new InMemoryReadModels());
    const progress: number[] = [];
    await views.rebuild(({ applied, head }) => {
      expect(head).toBe(2500);
      progress.push(applied);
    });
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(views.models.freeze.get('tenant:t0')).toMatchObject({ status: 'Frozen' });
  });

  it('is not ready once it trails the store by more than the allowed lag, and ready again when caught up', async () => {
    const store = await seeded(3);
    const views = new KeyViews(store, new InMemoryReadModels());
    await views.start();
    await views.stop();
    await expect(views.readiness(10)).resolves.toEqual({ projectionLag: 0 });
    for (const event of freezeEvents(4, 3)) await store.append(signingFreezeStream({ kind: 'global' }), toNewEvents([event], actor, at, ids));
    await expect(views.readiness(3)).rejects.toThrow(/trail the store by 4 events/);
    await expect(views.readiness(4)).resolves.toEqual({ projectionLag: 4 });
  });

  it('stops on a fold error (fail-stop): the error is reported, readiness fails and nothing after it is applied', async () => {
    const store = await seeded(2);
    const models = new InMemoryReadModels();
    const errors: unknown[] = [];
    const views = new KeyViews(store, models, { onError: (e) => errors.push(e) });
    await views.start();
    const apply = models.apply.bind(models);
    models.apply = (page) => {
      if (page.some((p) => p.position === 3)) throw new Error('fold failed');
      apply(page);
    };
    await store.append(signingFreezeStream({ kind: 'global' }), toNewEvents(freezeEvents(1, 2), actor, at, ids));
    await store.append(signingFreezeStream({ kind: 'tenant', tenantId: 'after' }), toNewEvents(freezeEvents(1, 3), actor, at, ids));
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await views.stop();
    expect(errors).toHaveLength(1);
    expect(views.error()).toBeInstanceOf(Error);
    expect(views.appliedPosition()).toBe(2);
    await expect(views.readiness(1_000)).rejects.toThrow(/stopped folding/);
    expect(models.freeze.get('tenant:after')).toBeUndefined();
  });

  it('stops on a stored event that does not decode (EVENT_DECODE_FAILED): nothing after it is applied', async () => {
    const store = await seeded(2);
    const models = new InMemoryReadModels();
    const errors: unknown[] = [];
    const views = new KeyViews(store, models, { onError: (e) => errors.push(e) });
    await views.start();
    const metadata = toNewEvents(freezeEvents(1), actor, at, ids)[0].metadata;
    // Written by newer code: a schema version this reader does not know.
    await store.append(signingFreezeStream({ kind: 'global' }), [{ type: 'SigningFrozen', schemaVersion: 7, data: { scope: { kind: 'global' }, reason: 'r', frozenBy: 'u', frozenAt: at.toISOString() }, metadata }]);
    await store.append(signingFreezeStream({ kind: 'tenant', tenantId: 'after' }), toNewEvents(freezeEvents(1), actor, at, ids));
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await views.stop();
    expect(errors).toEqual([expect.objectContaining({ code: 'EVENT_DECODE_FAILED', position: 3 })]);
    expect(views.appliedPosition()).toBe(2);
    await expect(views.readiness(1_000)).rejects.toThrow(/stopped folding/);
    expect(models.freeze.get('global')).toBeUndefined();
    expect(models.freeze.get('tenant:after')).toBeUndefined();
  });

  it('fails its start on an event that does not decode in the history (fail closed)', async () => {
    const store = await seeded(1);
    const metadata = toNewEvents(freezeEvents(1), actor, at, ids)[0].metadata;
    await store.append(signingFreezeStream({ kind: 'global' }), [{ type: 'SigningFrozen', schemaVersion: 1, data: { scope: { kind: 'global' } }, metadata }]);
    const views = new KeyViews(store, new InMemoryReadModels());
    await expect(views.start()).rejects.toMatchObject({ code: 'EVENT_DECODE_FAILED' });
  });

  it('passes over the events of other libs’ streams in the same store (the audit’s checkpoints), folding what follows', async () => {
    const store = await seeded(1);
    const metadata = toNewEvents(freezeEvents(1), actor, at, ids)[0].metadata;
    await store.append('audit-checkpoints', [{ type: 'AuditCheckpointSigned', schemaVersion: 1, data: { origin: 'o' }, metadata }]);
    await store.append(signingFreezeStream({ kind: 'tenant', tenantId: 't1' }), toNewEvents(freezeEvents(1, 1), actor, at, ids));
    const seen: (string | null)[] = [];
    const views = new KeyViews(store, new InMemoryReadModels());
    views.onEvent((recorded, event) => seen.push(event === null ? `skipped ${recorded.type}` : event.type));
    await views.start();
    await views.stop();
    expect(views.appliedPosition()).toBe(3);
    expect(seen).toEqual(['SigningFrozen', 'skipped AuditCheckpointSigned', 'SigningResumed']);
    expect(views.models.freeze.get('tenant:t1')).toMatchObject({ status: 'Unfrozen' });
  });
});
