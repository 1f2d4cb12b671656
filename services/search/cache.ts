// The smart cache of the non-personal part of a search (the seed's chapter
// 10): what the catalog and pricing answered for a normalised query and stay,
// kept for a TTL with ±4 % jitter (so entries filled together do not expire
// together), loaded once however many searches miss at the same time
// (single-flight), and dropped as soon as what it holds changes: each entry
// names the hotels it holds and the nights it covers, and invalidate() drops
// the entries that touch a change. The wallet markdown is never cached: it is
// asked for on every search.
//
//   const offers = new SearchCache<HotelOffer[]>({ ttlMs: 60_000, maxEntries: 1000 });
//   const value = await offers.get(key, () => pricing.getHotelOffers(…), { scope: () => ({ hotels, nights }), keep: (v) => cacheable(v) });
//   offers.invalidate({ hotels: ["h1"], nights: { from: "2027-01-03", to: "2027-01-05" } });
//
// A load that fails is not kept (the next search tries again); neither is one
// an invalidation overtook while it was in flight (it may hold what changed).
// Pure: no transport, no database; main.ts feeds it the change signals.
export interface Nights {
  /** The first night, ISO date. */
  readonly from: string;
  /** The last night, ISO date (included). */
  readonly to: string;
}

/** What an entry holds: which hotels, over which nights (absent: every night). */
export interface Scope {
  readonly hotels: readonly string[];
  readonly nights?: Nights;
}

/** What changed: these hotels (absent: every hotel) over these nights (absent: every night). */
export interface Change {
  readonly hotels?: readonly string[];
  readonly nights?: Nights;
}

/**
 * A lookup's result — "off": not live, or a TTL of 0, loaded without the
 * cache — or, after a miss, "unkept": the load's value was not stored
 * (`keep` refused it, or a change overtook it).
 */
/** How a loaded value is stored. */
export interface Keeping<V> {
  /** What the value holds, for invalidate(). */
  scope(value: V): Scope;
  /** Whether it may be stored at all (a degraded answer should not be). Default: yes. */
  keep?(value: V): boolean;
  /** When it must go at the latest (epoch ms), besides the TTL: an expiry of its own. */
  expiresAt?(value: V): number | undefined;
}

export type CacheResult = "hit" | "miss" | "shared" | "off" | "unkept";

export interface SearchCacheOptions {
  /** How long an entry is served, before jitter. 0 turns the cache off (every get loads). */
  readonly ttlMs: number;
  /** Entries kept; the least recently used go first. */
  readonly maxEntries: number;
  /**
   * Whether entries may be served from the start; main.ts starts with false
   * and turns it on once it hears the change signals (setLive). Default true.
   */
  readonly live?: boolean;
  /** Told of every get's result, for metrics. */
  readonly observe?: (result: CacheResult) => void;
  /** The clock; tests pass their own. */
  readonly now?: () => number;
  /** Uniform in [0, 1): the jitter; tests pass their own. */
  readonly random?: () => number;
}

/** The options of a set of caches (hotel-caches.ts, flight-caches.ts): each cache is told apart by its name. */
export interface CacheSetOptions extends Omit<SearchCacheOptions, "observe"> {
  readonly observe?: (cache: string, result: CacheResult) => void;
}

/** The cache `name` of a set. */
export function namedCache<V>(o: CacheSetOptions, name: string): SearchCache<V> {
  const { observe, ...rest } = o;
  return new SearchCache<V>({ ...rest, observe: observe && ((result) => observe(name, result)) });
}

interface Entry<V> {
  readonly value: V;
  readonly scope: Scope;
  readonly expiresAt: number;
}

/** ±4 % of the TTL. */
const JITTER = 0.04;

export class SearchCache<V> {
  readonly #opts: SearchCacheOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry<V>>();
  readonly #flights = new Map<string, Promise<V>>();
  /** Bumped by every invalidation: a load started before one is not stored. */
  #epoch = 0;
  #live: boolean;

  constructor(opts: SearchCacheOptions) {
    this.#opts = opts;
    this.#live = opts.live ?? true;
    this.#now = opts.now ?? Date.now;
    this.#random = opts.random ?? Math.random;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The value for `key`: a live entry's, else the load in flight for it, else
   * a new load, stored as `how` says.
   */
  get(key: string, load: () => Promise<V>, how: Keeping<V>): Promise<V> {
    if (this.#opts.ttlMs <= 0 || !this.#live) {
      this.#opts.observe?.("off");
      return load();
    }
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt > this.#now()) {
        this.#entries.delete(key);
        this.#entries.set(key, entry);
        this.#opts.observe?.("hit");
        return Promise.resolve(entry.value);
      }
      this.#entries.delete(key);
    }
    const flight = this.#flights.get(key);
    if (flight !== undefined) {
      this.#opts.observe?.("shared");
      return flight;
    }
    this.#opts.observe?.("miss");
    const epoch = this.#epoch;
    const loading = load().then(
      (value) => {
        this.#flights.delete(key);
        if (epoch === this.#epoch && (how.keep?.(value) ?? true)) this.#store(key, { value, scope: how.scope(value), expiresAt: this.#expiry(how.expiresAt?.(value)) });
        else this.#opts.observe?.("unkept");
        return value;
      },
      (error: unknown) => {
        this.#flights.delete(key);
        throw error;
      },
    );
    this.#flights.set(key, loading);
    return loading;
  }

  /** Drops every entry that holds one of the changed hotels on one of the changed nights. */
  invalidate(change: Change): void {
    this.#epoch++;
    const hotels = change.hotels === undefined ? undefined : new Set(change.hotels);
    for (const [key, entry] of this.#entries) {
      if (touches(entry.scope, hotels, change.nights)) this.#entries.delete(key);
    }
  }

  /** Drops everything: what changed is not known (a change signal may have been missed). */
  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }

  /**
   * Off (false): nothing is served or kept, since changes may go unheard.
   * On again (true): starts empty, since changes may have gone unheard.
   */
  setLive(live: boolean): void {
    this.clear();
    this.#live = live;
  }

  #store(key: string, entry: Entry<V>) {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#opts.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  #expiry(cap = Infinity): number {
    const jitter = 1 + JITTER * (2 * this.#random() - 1);
    return Math.min(cap, this.#now() + Math.round(this.#opts.ttlMs * jitter));
  }
}

function touches(scope: Scope, hotels: ReadonlySet<string> | undefined, nights: Nights | undefined): boolean {
  if (nights !== undefined && scope.nights !== undefined && (nights.to < scope.nights.from || scope.nights.to < nights.from)) return false;
  return hotels === undefined || scope.hotels.some((h) => hotels.has(h));
}
