/**
 * How long an instance keeps a cached piece of configuration (a tariff, a VPN entry) without
 * hearing of a change: the bound on how stale it can be after a lost pub/sub message (DESIGN §5).
 */
export const DEFAULT_CONFIG_CACHE_TTL_MS = 30_000;

/**
 * A map of values with a time to live, that loads a missing value once however many callers
 * ask for it at the same time, and never keeps a value loaded before an invalidation that
 * happened while it was being loaded.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; expiresAt: number }>();
  private loading = new Map<string, Promise<V>>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expiresAt > this.now()) return Promise.resolve(hit.value);
      this.entries.delete(key);
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const promise = load()
      .then((value) => {
        if (generation === this.generation) this.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      });
    this.loading.set(key, promise);
    return promise;
  }

  /** A mark to pass to `put` for a value read after it. */
  stamp(): number {
    return this.generation;
  }

  /** Keeps a value read elsewhere, unless an invalidation came after `stamp` (taken before the read). */
  put(key: string, value: V, stamp: number): void {
    if (stamp === this.generation) this.set(key, value);
  }

  delete(key: string): void {
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }

  private set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }
}
