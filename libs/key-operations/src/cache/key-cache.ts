import { LRUCache } from 'lru-cache';
import type { KeyOperationsTelemetry, RetrievalKeyType, RetrievalTracer } from '../deps';
import { cacheKeyOf, keyPrefixOf, type CacheId, type CachedKey } from './cached-key';

/** Cache settings (seed defaults: private/secret 60 min, public 24 h, 1000 entries). */
export interface KeyCacheOptions {
  readonly maxSize: number;
  readonly privateTtlMs: number;
  readonly publicTtlMs: number;
  readonly telemetry: KeyOperationsTelemetry;
  readonly tracer?: RetrievalTracer;
  /** Monotonic milliseconds, for retrieval timings. */
  readonly now?: () => number;
}

export const DEFAULT_KEY_CACHE = { maxSize: 1000, privateTtlMs: 60 * 60_000, publicTtlMs: 24 * 3_600_000 } as const;

/** Hit and miss figures for status pages. */
export interface KeyCacheStats {
  readonly size: number;
  readonly maxSize: number;
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses), null before the first lookup. */
  readonly hitRate: number | null;
}

interface Flight {
  readonly promise: Promise<CachedKey>;
  stale: boolean;
}

/**
 * The KeyRetrievalService's cache: LRU with a TTL per kind of entry, one loader call for any
 * number of concurrent misses of the same entry (single flight), and invalidation per key, which
 * also discards loads in flight so a rotated or disabled key is never cached again from an old read.
 */
export class KeyCache {
  private readonly lru: LRUCache<string, CachedKey>;
  private readonly flights = new Map<string, Flight>();
  /** Cache keys held per key (`<tenant>:<key>:`), so invalidating a key touches only its own entries. */
  private readonly byKey = new Map<string, Set<string>>();
  private hits = 0;
  private misses = 0;
  private readonly now: () => number;

  constructor(private readonly options: KeyCacheOptions) {
    this.now = options.now ?? (() => performance.now());
    this.lru = new LRUCache<string, CachedKey>({
      max: options.maxSize,
      ttlAutopurge: false,
      dispose: (_value, key, reason) => {
        if (reason === 'evict') options.telemetry.cacheEvicted(1);
        if (reason !== 'set') this.forget(key);
      },
    });
  }

  /** The entry for `id`, loading it on a miss; `hit` says whether the cache answered. */
  async get(id: CacheId, keyType: RetrievalKeyType, loader: () => Promise<CachedKey>): Promise<{ key: CachedKey; hit: boolean }> {
    const tracer = this.options.tracer;
    if (!tracer) return this.retrieve(id, keyType, loader);
    // The span learns hit or miss before the load, so a failed load's span still says it missed.
    return tracer({ tenantId: id.tenantId, keyType }, (recorder) => this.retrieve(id, keyType, loader, (hit) => recorder.cacheChecked(hit)));
  }

  /** Drops every entry of a key (all versions and kinds) and discards its loads in flight. */
  invalidateKey(tenantId: string, keyId: string): number {
    const prefix = keyPrefixOf(tenantId, keyId);
    let dropped = 0;
    for (const key of [...(this.byKey.get(prefix) ?? [])]) {
      dropped += this.lru.delete(key) ? 1 : 0;
      const flight = this.flights.get(key);
      if (flight) {
        flight.stale = true;
        this.flights.delete(key);
      }
    }
    this.byKey.delete(prefix);
    this.options.telemetry.cacheSize(this.lru.size);
    return dropped;
  }

  /** Drops everything. */
  clear(): void {
    this.lru.clear();
    for (const flight of this.flights.values()) flight.stale = true;
    this.flights.clear();
    this.byKey.clear();
    this.options.telemetry.cacheSize(0);
  }

  /** Whether an entry is cached and fresh (does not count as a lookup). */
  has(id: CacheId): boolean {
    return this.lru.has(cacheKeyOf(id));
  }

  stats(): KeyCacheStats {
    const total = this.hits + this.misses;
    return { size: this.lru.size, maxSize: this.options.maxSize, hits: this.hits, misses: this.misses, hitRate: total === 0 ? null : this.hits / total };
  }

  /**
   * The entry for `id` when the cache holds it, counted and metered as a hit exactly as `get`
   * counts one; undefined (nothing counted) on a miss, and always when retrievals are traced (a
   * hit's span needs `get`). The hot routes try this first: a hit then costs no promise at all.
   */
  hit(id: CacheId, keyType: RetrievalKeyType): CachedKey | undefined {
    if (this.options.tracer) return undefined;
    const started = this.now();
    const cached = this.lru.get(cacheKeyOf(id));
    if (cached !== undefined) this.countHit(keyType, started);
    return cached;
  }

  private async retrieve(
    id: CacheId,
    keyType: RetrievalKeyType,
    loader: () => Promise<CachedKey>,
    checked?: (hit: boolean) => void,
  ): Promise<{ key: CachedKey; hit: boolean }> {
    const started = this.now();
    const cacheKey = cacheKeyOf(id);
    const cached = this.lru.get(cacheKey);
    const telemetry = this.options.telemetry;
    if (cached !== undefined) {
      this.countHit(keyType, started);
      checked?.(true);
      return { key: cached, hit: true };
    }
    this.misses++;
    telemetry.cacheMiss(keyType);
    checked?.(false);
    const key = await this.load(cacheKey, id, loader);
    telemetry.retrieval(keyType, (this.now() - started) / 1000);
    return { key, hit: false };
  }

  private countHit(keyType: RetrievalKeyType, started: number): void {
    this.hits++;
    this.options.telemetry.cacheHit(keyType);
    this.options.telemetry.retrieval(keyType, (this.now() - started) / 1000);
  }

  private load(cacheKey: string, id: CacheId, loader: () => Promise<CachedKey>): Promise<CachedKey> {
    const running = this.flights.get(cacheKey);
    if (running) return running.promise;
    this.remember(cacheKey, id);
    const flight: Flight = {
      stale: false,
      promise: loader().then(
        (key) => {
          if (this.flights.get(cacheKey) === flight) this.flights.delete(cacheKey);
          if (!flight.stale) {
            const ttl = id.kind === 'public' ? this.options.publicTtlMs : this.options.privateTtlMs;
            this.lru.set(cacheKey, key, { ttl });
            this.options.telemetry.cacheSize(this.lru.size);
          }
          return key;
        },
        (error: unknown) => {
          if (this.flights.get(cacheKey) === flight) this.flights.delete(cacheKey);
          if (!this.lru.has(cacheKey)) this.forget(cacheKey);
          throw error;
        },
      ),
    };
    this.flights.set(cacheKey, flight);
    return flight.promise;
  }

  /** Files a cache key (an entry or a load in flight) under its key. */
  private remember(cacheKey: string, id: CacheId): void {
    const prefix = keyPrefixOf(id.tenantId, id.keyId);
    let keys = this.byKey.get(prefix);
    if (!keys) this.byKey.set(prefix, (keys = new Set()));
    keys.add(cacheKey);
  }

  /** Drops a cache key from its key's set once neither an entry nor a load holds it. */
  private forget(cacheKey: string): void {
    if (this.flights.has(cacheKey)) return;
    const prefix = cacheKey.slice(0, cacheKey.lastIndexOf(':', cacheKey.lastIndexOf(':') - 1) + 1);
    const keys = this.byKey.get(prefix);
    if (!keys) return;
    keys.delete(cacheKey);
    if (keys.size === 0) this.byKey.delete(prefix);
  }
}
