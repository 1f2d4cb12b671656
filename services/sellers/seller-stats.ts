// Look-to-book per seller: searches (price and fare requests sent to it),
// bookings (0 until booking exists), and how reliably it answers quotes; and
// its health for operators: its latest failures and how its last pull ended.
// Counted in this process; exported to prom-client on the registry main.ts
// passes (seller_searches_total{seller}, seller_look_to_book{seller}).
import { Counter, Gauge, type Registry } from "prom-client";

/** A failed call to a seller. */
export interface SellerFailure {
  time: Date;
  operation: "quote" | "sync";
  message: string;
}

/** How a pull ended. */
export interface SyncResult {
  time: Date;
  ok: boolean;
  /** Empty when ok. */
  error: string;
}

interface Counts {
  searches: bigint;
  bookings: bigint;
  quotesAsked: number;
  quotesAnswered: number;
  failures: SellerFailure[];
  lastSync: SyncResult | undefined;
}

export interface SellerCounts {
  searches: bigint;
  bookings: bigint;
  /** 0 to 1000: quotes answered per quotes asked (1000 before any). */
  reliabilityPermille: number;
  /** Searches per booking (searches while there is none). */
  lookToBook: number;
  /** Newest first, at most RECENT_FAILURES. */
  recentFailures: readonly SellerFailure[];
  lastSync: SyncResult | undefined;
}

/** Failures kept per seller: an operator's glance, not a log (the log has every one). */
export const RECENT_FAILURES = 5;
/** The longest failure message kept: a seller's error page is not kept whole. */
const FAILURE_MESSAGE_CHARS = 300;

const fresh = (): Counts => ({ searches: 0n, bookings: 0n, quotesAsked: 0, quotesAnswered: 0, failures: [], lastSync: undefined });

export class SellerStats {
  private readonly counts = new Map<string, Counts>();
  private readonly searchCounter: Counter<"seller"> | undefined;

  constructor(sellerIds: readonly string[], registry?: Registry) {
    for (const id of sellerIds) this.counts.set(id, fresh());
    if (!registry) return;
    this.searchCounter = new Counter({
      name: "seller_searches_total",
      help: "Price and fare requests sent to each seller (its searches).",
      labelNames: ["seller"],
      registers: [registry],
    });
    for (const id of sellerIds) this.searchCounter.inc({ seller: id }, 0); // every seller shows, even at 0
    const stats = this;
    new Gauge({
      name: "seller_look_to_book",
      help: "Searches per booking for each seller (searches while it has no booking).",
      labelNames: ["seller"],
      registers: [registry],
      collect() {
        for (const id of sellerIds) this.set({ seller: id }, stats.lookToBook(id));
      },
    });
  }

  /** One price or fare request was sent to the seller. */
  searched(sellerId: string): void {
    const c = this.counts.get(sellerId);
    if (!c) return;
    c.searches += 1n;
    this.searchCounter?.inc({ seller: sellerId });
  }

  /** A quote was asked of the seller; `answered` when it gave one in time. */
  quoted(sellerId: string, answered: boolean): void {
    const c = this.counts.get(sellerId);
    if (!c) return;
    c.quotesAsked++;
    if (answered) c.quotesAnswered++;
  }

  /** A call to the seller failed (not a NotFound: that is an answer). */
  failed(sellerId: string, operation: SellerFailure["operation"], message: string, time: Date): void {
    const c = this.counts.get(sellerId);
    if (!c) return;
    c.failures.unshift({ time, operation, message: message.slice(0, FAILURE_MESSAGE_CHARS) });
    c.failures.length = Math.min(c.failures.length, RECENT_FAILURES);
  }

  /** A pull of the seller ended; a failed one counts as a failure too. */
  synced(sellerId: string, result: SyncResult): void {
    const c = this.counts.get(sellerId);
    if (!c) return;
    c.lastSync = { ...result, error: result.error.slice(0, FAILURE_MESSAGE_CHARS) };
    if (!result.ok) this.failed(sellerId, "sync", result.error, result.time);
  }

  /** Searches per booking (searches when there is no booking yet). */
  lookToBook(sellerId: string): number {
    const c = this.counts.get(sellerId);
    if (!c) return 0;
    return Number(c.searches) / Math.max(1, Number(c.bookings));
  }

  of(sellerId: string): SellerCounts {
    const c = this.counts.get(sellerId) ?? fresh();
    return {
      searches: c.searches,
      bookings: c.bookings,
      reliabilityPermille: c.quotesAsked === 0 ? 1000 : Math.round((1000 * c.quotesAnswered) / c.quotesAsked),
      lookToBook: this.lookToBook(sellerId),
      recentFailures: [...c.failures],
      lastSync: c.lastSync,
    };
  }
}
