import fc from 'fast-check';
import {
  breakersProjection,
  breakGlassProjection,
  defineProjection,
  keysProjection,
  replay,
  signerRegistryProjection,
  signingFreezeProjection,
  tenantScope,
  GLOBAL_SCOPE,
  type BreakGlassEvent,
  type KeyEvent,
  type KeyledgerEvent,
  type PositionedView,
  type ProjectedEvent,
  type Projection,
  type SignerRegistryEvent,
} from '../index';
import { created, deletionScheduled, disabled, enabled, rotated } from '../../test/fixtures/key-fixtures';
import { activeSession, closed, keyDestroyed, requested, signed } from '../../test/fixtures/break-glass-fixtures';

const at = (s: number) => new Date(Date.UTC(2025, 2, 1, 10, 0, s)).toISOString();
const forTenant = (event: KeyEvent, tenantId: string): KeyEvent => ({ ...event, data: { ...event.data, tenantId } }) as KeyEvent;
const forSession = (event: BreakGlassEvent, sessionId: string): BreakGlassEvent => ({ ...event, data: { ...event.data, sessionId } }) as BreakGlassEvent;
const registered = (kid: string): SignerRegistryEvent => ({
  type: 'SignerRegistered',
  schemaVersion: 1,
  data: { kid, publicKey: `PEM ${kid}`, algorithm: 'ED25519', owner: { kind: 'break-glass', sessionId: 's' }, validFrom: at(0), validUntil: null, registeredAt: at(0) },
});
const retired = (kid: string): SignerRegistryEvent => ({ type: 'SignerRetired', schemaVersion: 2, data: { kid, reason: null, retiredAt: at(1) } });

/** Events for every view, some of them changes to entries the others already made, some ignored by each view. */
const POOL: readonly KeyledgerEvent[] = [
  ...['acme', 'globex'].flatMap((tenant) => [created(0), rotated(2, 90), disabled(91), enabled(92), deletionScheduled(93)].map((e) => forTenant(e, tenant))),
  ...[GLOBAL_SCOPE, tenantScope('acme'), tenantScope('globex')].flatMap((scope): KeyledgerEvent[] => [
    { type: 'SigningFrozen', schemaVersion: 1, data: { scope, reason: 'drill', frozenBy: 'user:sre', frozenAt: at(1) } },
    { type: 'SigningResumed', schemaVersion: 1, data: { scope, resumedBy: 'user:lead', resumedAt: at(2) } },
  ]),
  ...['api-1', 'api-2'].flatMap((instance): KeyledgerEvent[] => [
    { type: 'BreakerOpened', schemaVersion: 1, data: { name: 'kms', instance, from: 'closed', failures: 6, calls: 10, failureRatio: 0.6, openedAt: at(3) } },
    { type: 'BreakerHalfOpened', schemaVersion: 1, data: { name: 'kms', instance, from: 'open', halfOpenedAt: at(4) } },
    { type: 'BreakerClosed', schemaVersion: 1, data: { name: 'kms', instance, from: 'half-open', consecutiveSuccesses: 3, closedAt: at(5) } },
  ]),
  ...['bg-1', 'bg-2'].flatMap((id) => [...activeSession(), signed(1, 2), closed(3), keyDestroyed(3)].map((e) => forSession(e, id))),
  ...['k1', 'k2'].flatMap((kid) => [registered(kid), retired(kid)]),
];

const PROJECTIONS: readonly Projection<PositionedView>[] = [
  keysProjection,
  signingFreezeProjection,
  breakersProjection,
  breakGlassProjection,
  signerRegistryProjection,
] as unknown as Projection<PositionedView>[];

const positioned = (events: readonly KeyledgerEvent[], from = 1): ProjectedEvent[] =>
  events.map((event, i) => ({ event, streamName: 'any-stream', position: from + i }));

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

const oneByOne = <V extends PositionedView>(p: Projection<V>, view: V, events: readonly ProjectedEvent[]): V[] => {
  const views = [view];
  for (const e of events) views.push(p.apply(views[views.length - 1], e));
  return views;
};

const sequences = fc.array(fc.constantFrom(...POOL), { maxLength: 40 });

describe.each(PROJECTIONS.map((p) => [p.name, p] as const))('%s view as a persistent value', (_name, projection) => {
  it('applyAll gives the same view as applying the events one by one, whatever the paging', () => {
    fc.assert(
      fc.property(sequences, fc.nat(), (events, cut) => {
        const all = positioned(events);
        const split = all.length === 0 ? 0 : cut % (all.length + 1);
        const stepwise = oneByOne(projection, projection.initial, all).pop();
        const paged = projection.applyAll(projection.applyAll(projection.initial, all.slice(0, split)), all.slice(split));
        expect(paged).toEqual(stepwise);
      }),
      { numRuns: 60 },
    );
  });

  it('never writes into a view it was given (every input deep-frozen, every kept view unchanged)', () => {
    fc.assert(
      fc.property(sequences, sequences, (first, second) => {
        const before = deepFreeze(replay(projection, positioned(first)));
        const snapshot = JSON.stringify(before);
        const rest = positioned(second, first.length + 1);
        const kept = oneByOne(projection, before, rest).map(deepFreeze);
        const keptSnapshots = kept.map((v) => JSON.stringify(v));
        projection.applyAll(before, rest);
        for (const view of kept) projection.applyAll(view, rest);
        expect(JSON.stringify(before)).toBe(snapshot);
        expect(kept.map((v) => JSON.stringify(v))).toEqual(keptSnapshots);
      }),
      { numRuns: 40 },
    );
  });

  it('returns the same view for positions it already applied, one by one or in a page', () => {
    const events = positioned(POOL);
    const view = replay(projection, events);
    expect(projection.apply(view, events[3])).toBe(view);
    expect(projection.applyAll(view, events)).toBe(view);
    expect(projection.applyAll(view, [])).toBe(view);
  });
});

describe('table views share what an event leaves alone', () => {
  const start = replay(signingFreezeProjection, positioned(POOL));
  const ignored: ProjectedEvent = { event: registered('k9'), streamName: 'signerregistry-global', position: POOL.length + 1 };

  it('an ignored event moves the position and keeps the very same table', () => {
    const next = signingFreezeProjection.apply(start, ignored);
    expect(next).not.toBe(start);
    expect(next.position).toBe(POOL.length + 1);
    expect(next.scopes).toBe(start.scopes);
    expect(signingFreezeProjection.applyAll(start, [ignored]).scopes).toBe(start.scopes);
  });

  it('a change copies the table once and shares every untouched entry', () => {
    const resumeGlobal: KeyledgerEvent = { type: 'SigningResumed', schemaVersion: 1, data: { scope: GLOBAL_SCOPE, resumedBy: 'user:lead', resumedAt: at(9) } };
    const resume = { event: resumeGlobal, streamName: 'signingfreeze-global', position: POOL.length + 1 };
    for (const next of [signingFreezeProjection.apply(start, resume), signingFreezeProjection.applyAll(start, [ignored, { ...resume, position: POOL.length + 2 }])]) {
      expect(next.scopes).not.toBe(start.scopes);
      expect(next.scopes['tenant:acme']).toBe(start.scopes['tenant:acme']);
      expect(next.scopes['global']).not.toBe(start.scopes['global']);
    }
  });

  it('keeps a `__proto__` id as an own entry, never as the prototype', () => {
    const events = positioned([forSession(requested(), '__proto__'), registered('__proto__'), retired('__proto__')]);
    for (const glass of [replay(breakGlassProjection, events), oneByOne(breakGlassProjection, breakGlassProjection.initial, events)[events.length]]) {
      expect(Object.getPrototypeOf(glass.sessions)).toBe(Object.prototype);
      expect(Object.keys(glass.sessions)).toEqual(['__proto__']);
    }
    const registry = replay(signerRegistryProjection, events).registry;
    expect(Object.getPrototypeOf(registry.signers)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(registry.signers, '__proto__')?.value).toMatchObject({ status: 'Retired' });
  });
});

describe('defineProjection (whole-view steps)', () => {
  const counter = defineProjection<PositionedView & { readonly count: number }>('count', { position: null, count: 0 }, (view) => ({ ...view, count: view.count + 1 }));

  it('folds pages like single events and skips applied positions', () => {
    const events = positioned(POOL.slice(0, 5));
    const view = counter.applyAll(counter.initial, events);
    expect(view).toEqual({ position: 5, count: 5 });
    expect(counter.applyAll(view, events)).toBe(view);
    expect(counter.initial).toEqual({ position: null, count: 0 });
  });
});
