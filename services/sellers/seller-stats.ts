// Look-to-book per seller: searches (price and fare requests sent to it),
// bookings (0 until booking exists), and how reliably it answers quotes.
// Counted in this process; exported to prom-client on the registry main.ts
// passes (seller_searches_total{seller}, seller_look_to_book{seller}).
import { Counter, Gauge, type Registry } from "prom-client";

interface Counts {
  searches: bigint;
  bookings: bigint;
  quotesAsked: number;
  quotesAnswered: number;
}

export interface SellerCounts {
  searches: bigint;
  bookings: bigint;
  /** 0 to 1000: quotes answered per quotes asked (1000 before any). */
  reliabilityPermille: number;
}

export class SellerStats {
  private readonly counts = new Map<string, Counts>();
  private readonly searchCounter: Counter<"seller"> | undefined;

  constructor(sellerIds: readonly string[], registry?: Registry) {
    for (const id of sellerIds) this.counts.set(id, { searches: 0n, bookings: 0n, quotesAsked: 0, quotesAnswered: 0 });
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

  /** Searches per booking (searches when there is no booking yet). */
  lookToBook(sellerId: string): number {
    const c = this.counts.get(sellerId);
    if (!c) return 0;
    return Number(c.searches) / Math.max(1, Number(c.bookings));
  }

  of(sellerId: string): SellerCounts {
    const c = this.counts.get(sellerId) ?? { searches: 0n, bookings: 0n, quotesAsked: 0, quotesAnswered: 0 };
    return {
      searches: c.searches,
      bookings: c.bookings,
      reliabilityPermille: c.quotesAsked === 0 ? 1000 : Math.round((1000 * c.quotesAnswered) / c.quotesAsked),
    };
  }
}
