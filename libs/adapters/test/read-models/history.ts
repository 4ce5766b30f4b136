import type { KeyMode, KeyPurpose, ProjectedEvent, Scope } from '@keyledger/kms-domain';
import { ev, Feed, type Built } from './events';

/** A small deterministic PRNG (mulberry32): the same seed gives the same history in any process. */
export function prng(seed: number): { int(max: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

interface KeyModel {
  tenantId: string;
  keyId: string;
  purpose: KeyPurpose;
  mode: KeyMode;
  status: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Destroyed';
  version: number;
  /** Versions with a registered signer, and whether it was retired. */
  signers: Map<number, boolean>;
}

interface SessionModel {
  sessionId: string;
  status: 'Requested' | 'Active' | 'KeyLost' | 'Ended' | 'KeyDestroyed';
  approvals: number;
  kid: string;
  issued: boolean;
  signatures: number;
}

export interface HistoryOptions {
  readonly tenants?: number;
  readonly steps?: number;
  /** Distance between consecutive positions. */
  readonly gap?: number;
}

const BREAKERS = ['kms-signing-key', 'eventstore'] as const;
const INSTANCES = ['api-1', 'api-2', 'scheduler'] as const;

/**
 * A plausible history generated from a seed: several tenants' keys created, rotated (signers
 * registered for signing versions, some lagging), disabled, re-enabled, scheduled for deletion,
 * cancelled and destroyed (signers retired), break-glass sessions through their whole lifecycle,
 * breakers tripping and recovering on several instances, and freezes. Time only moves forward.
 */
export function generateHistory(seed: number, options: HistoryOptions = {}): ProjectedEvent[] {
  const r = prng(seed);
  const tenants = Array.from({ length: options.tenants ?? 4 }, (_, i) => `tenant-${i}`);
  const feed = new Feed(options.gap ?? 1 + r.int(3));
  const keys: KeyModel[] = [];
  const sessions: SessionModel[] = [];
  const breakers = new Map<string, 'closed' | 'open' | 'half-open'>();
  const frozen = new Map<string, boolean>();
  let day = 0;
  let counter = 0;
  const emit = (...built: Built[]): void => void feed.page(...built);
  const keyWhere = (ok: (k: KeyModel) => boolean): KeyModel | undefined => {
    const found = keys.filter(ok);
    return found.length === 0 ? undefined : r.pick(found);
  };

  const registerSigner = (k: KeyModel, version: number): void => {
    k.signers.set(version, false);
    emit(ev.signerRegistered(`kid-${k.keyId}-v${version}`, { kind: 'key-version', tenantId: k.tenantId, keyId: k.keyId, version }, day));
  };

  const steps: (() => boolean)[] = [
    // create a key (most common)
    () => {
      const k: KeyModel = {
        tenantId: r.pick(tenants),
        keyId: `key-${(counter++).toString().padStart(3, '0')}-${r.int(1000)}`,
        purpose: r.chance(0.6) ? 'sign' : 'encrypt',
        mode: r.chance(0.75) ? 'wrapped' : 'provider-resident',
        status: 'Enabled',
        version: 1,
        signers: new Map(),
      };
      keys.push(k);
      emit(ev.created(k.tenantId, k.keyId, day, { purpose: k.purpose, mode: k.mode, rotationPeriodDays: r.pick([7, 30, 90]) }));
      if (k.purpose === 'sign' && r.chance(0.8)) registerSigner(k, 1);
      return true;
    },
    // rotate
    () => {
      const k = keyWhere((x) => x.status === 'Enabled');
      if (!k) return false;
      k.version += 1;
      emit(ev.rotated(k.tenantId, k.keyId, k.version, day, r.pick(['scheduled', 'manual', 'emergency'] as const), k.mode));
      if (k.purpose === 'sign' && r.chance(0.7)) registerSigner(k, k.version);
      return true;
    },
    // a lagging signer catches up
    () => {
      const k = keyWhere((x) => x.purpose === 'sign' && x.status !== 'Destroyed' && x.signers.size < x.version);
      if (!k) return false;
      const missing = Array.from({ length: k.version }, (_, i) => i + 1).filter((v) => !k.signers.has(v));
      registerSigner(k, r.pick(missing));
      return true;
    },
    // disable / enable
    () => {
      const k = keyWhere((x) => x.status === 'Enabled' || x.status === 'Disabled');
      if (!k) return false;
      if (k.status === 'Enabled') emit(ev.disabled(k.tenantId, k.keyId, day));
      else emit(ev.enabled(k.tenantId, k.keyId, day));
      k.status = k.status === 'Enabled' ? 'Disabled' : 'Enabled';
      return true;
    },
    // schedule deletion
    () => {
      const k = keyWhere((x) => x.status === 'Disabled' || x.status === 'Enabled');
      if (!k) return false;
      k.status = 'PendingDeletion';
      emit(ev.deletionScheduled(k.tenantId, k.keyId, day, r.pick([7, 14, 30])));
      return true;
    },
    // cancel or complete a deletion
    () => {
      const k = keyWhere((x) => x.status === 'PendingDeletion');
      if (!k) return false;
      if (r.chance(0.3)) {
        k.status = 'Disabled';
        emit(ev.deletionCancelled(k.tenantId, k.keyId, day));
        return true;
      }
      k.status = 'Destroyed';
      emit(ev.destroyed(k.tenantId, k.keyId, day));
      for (const [version, retired] of k.signers) {
        if (retired || r.chance(0.3)) continue;
        k.signers.set(version, true);
        emit(ev.signerRetired(`kid-${k.keyId}-v${version}`, day));
      }
      return true;
    },
    // period change, min decryption version, failed rotation (the last changes no row)
    () => {
      const k = keyWhere((x) => x.status !== 'Destroyed');
      if (!k) return false;
      const which = r.int(3);
      if (which === 0) emit(ev.periodChanged(k.tenantId, k.keyId, r.pick([1, 30, 365]), day));
      else if (which === 1) emit(ev.minDecryption(k.tenantId, k.keyId, 1 + r.int(k.version), day));
      else emit(ev.rotationFailed(k.tenantId, k.keyId, k.version, day));
      return true;
    },
    // break-glass: advance a session or open one
    () => {
      const s = sessions.find((x) => x.status !== 'KeyDestroyed' && !(x.status === 'Ended' && !x.issued)) ?? null;
      if (s === null || r.chance(0.25)) {
        const sessionId = `bg-${(counter++).toString().padStart(3, '0')}`;
        sessions.push({ sessionId, status: 'Requested', approvals: 0, kid: `bg-kid-${sessionId}`, issued: false, signatures: 0 });
        const scope: Scope = r.chance(0.5) ? { kind: 'global' } : { kind: 'tenant', tenantId: r.pick(tenants) };
        emit(ev.requested(sessionId, day, scope));
        return true;
      }
      advanceSession(s);
      return true;
    },
    // breakers
    () => {
      const name = r.pick(BREAKERS);
      const instance = r.pick(INSTANCES);
      const id = `${name}/${instance}`;
      const position = breakers.get(id) ?? 'closed';
      if (position === 'closed') emit(ev.breakerOpened(name, instance, day));
      else if (position === 'open') emit(ev.breakerHalfOpened(name, instance, day));
      else if (r.chance(0.5)) emit(ev.breakerClosed(name, instance, day));
      else emit(ev.breakerOpened(name, instance, day, 'half-open'));
      breakers.set(id, position === 'closed' ? 'open' : position === 'open' ? 'half-open' : 'closed');
      return true;
    },
    // freeze / resume
    () => {
      const scope: Scope = r.chance(0.3) ? { kind: 'global' } : { kind: 'tenant', tenantId: r.pick(tenants) };
      const id = scope.kind === 'global' ? 'global' : scope.tenantId;
      if (frozen.get(id)) emit(ev.resumed(scope, day));
      else emit(ev.frozen(scope, day));
      frozen.set(id, !frozen.get(id));
      return true;
    },
  ];
  const weights = [3, 4, 1, 2, 2, 1, 1, 4, 1, 1];

  function advanceSession(s: SessionModel): void {
    switch (s.status) {
      case 'Requested':
        if (r.chance(0.15)) {
          s.status = 'Ended';
          emit(ev.closed(s.sessionId, day));
        } else if (s.approvals === 0) {
          s.approvals = 1;
          emit(ev.approved(s.sessionId, 'approver-security', day));
        } else {
          s.approvals = 2;
          s.status = 'Active';
          s.issued = true;
          emit(ev.approved(s.sessionId, 'approver-finance', day), ev.activated(s.sessionId, s.kid, day, day + 1 + r.int(3)));
          emit(ev.signerRegistered(s.kid, { kind: 'break-glass', sessionId: s.sessionId }, day));
        }
        return;
      case 'Active':
      case 'KeyLost': {
        const roll = r.int(4);
        if (roll === 0 && s.status === 'Active') emit(ev.signatureIssued(s.sessionId, s.kid, ++s.signatures, day));
        else if (roll === 1 && s.status === 'Active') {
          s.status = 'KeyLost';
          emit(ev.keyLost(s.sessionId, s.kid, day));
        } else if (roll === 2) {
          s.status = 'Ended';
          emit(ev.expired(s.sessionId, day));
        } else if (roll === 3) {
          s.status = 'Ended';
          emit(ev.closed(s.sessionId, day));
        }
        return;
      }
      case 'Ended':
        s.status = 'KeyDestroyed';
        emit(ev.emergencyKeyDestroyed(s.sessionId, s.kid, day), ev.signerRetired(s.kid, day));
        return;
      case 'KeyDestroyed':
        return;
    }
  }

  const total = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < (options.steps ?? 120); i++) {
    day += r.int(6);
    let roll = r.int(total);
    let step = 0;
    while (roll >= weights[step]) roll -= weights[step++];
    if (!steps[step]()) steps[0]();
  }
  return feed.all;
}

/** The history `feeder.ts` feeds (the parent test generates the same one from the same seed). */
export const FEEDER_HISTORY: HistoryOptions = { tenants: 5, steps: 1200 };

/** Splits events into pages of random sizes between 1 and `max`. */
export function randomPages<T>(events: readonly T[], seed: number, max: number): T[][] {
  const r = prng(seed);
  const pages: T[][] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + r.int(max);
    pages.push(events.slice(i, i + size));
    i += size;
  }
  return pages;
}
