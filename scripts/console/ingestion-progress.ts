// How far the sandbox's pull sellers' first sync has come, read from the
// processes' own logs as they arrive: pricing logs each batch of hotel rates
// it ingested ("hotel rates ingested", seller_id, rates), sellers logs each
// finished sync ("seller synced", with its counts: written, kept as the last
// pull wrote them, or unchanged — on a second start with the same inventory,
// the seller said nothing changed and the prices held count). The totals come from the
// inventory the sandbox generates (same seed and size variables), so nothing
// here is a hard-coded size.
import { generateInventory } from "../../sandbox/inventory.js";
import { inventoryParams } from "../../sandbox/environment.js";
import type { LogRecord } from "./log-line.js";

/** The sandbox sellers that are pulled (sandbox/main.ts): casa's rooms by night, skylark's flights by day. */
const HOTEL_SELLER = "casa";
const FLIGHT_SELLER = "skylark";

export interface IngestionTotals {
  /** Nightly rates: every room of every hotel, every night of the window. */
  hotelRates: number;
  /** Dated flights: every flight, every day of the window. */
  flights: number;
}

/** What the pull sellers will send, from the sandbox's own variables (SANDBOX_CITIES, SANDBOX_DAYS, …). */
export function ingestionTotals(env: NodeJS.ProcessEnv): IngestionTotals {
  const inv = generateInventory(inventoryParams(env));
  return { hotelRates: inv.hotels.reduce((n, h) => n + h.rooms.length, 0) * inv.days, flights: inv.flights.length * inv.days };
}

const count = (n: number) => Math.round(n).toLocaleString("en");

export class IngestionProgress {
  private hotelRates = 0;
  /** The first batch: the rate counts what arrived after it, over the time since. */
  private first: { at: number; rates: number } | undefined;
  private lastRatesAt = 0;
  /** Known once skylark's sync is over: its batches are not logged with counts. */
  private flights: number | undefined;
  /** Casa's rates the last pull wrote as they are: known once its sync is over. */
  private keptRates = 0;
  /** The sellers that said nothing changed since our last pull. */
  private readonly unchanged = new Set<string>();

  constructor(private readonly totals: IngestionTotals) {}

  /** Takes one record of one process's log (the console's onRecord). */
  record(name: string, r: LogRecord): void {
    const f = r.fields;
    if (name === "pricing" && r.msg === "hotel rates ingested" && f.seller_id === HOTEL_SELLER && typeof f.rates === "number") {
      this.hotelRates += f.rates;
      this.first ??= { at: r.time, rates: f.rates };
      this.lastRatesAt = r.time;
    }
    if (name !== "sellers" || r.msg !== "seller synced") return;
    if (f.unchanged === true && typeof f.seller === "string") this.unchanged.add(f.seller);
    const kept = typeof f.kept === "object" && f.kept !== null ? (f.kept as Record<string, unknown>) : {};
    if (f.seller === HOTEL_SELLER && typeof kept.rates === "number") this.keptRates = kept.rates;
    if (f.seller === FLIGHT_SELLER && typeof f.flights === "number") this.flights = f.flights + (typeof kept.flights === "number" ? kept.flights : 0);
  }

  /** "ingestion: hotel rates 310,000 of 720,000 (43 %, 8,100/s), flights 77,040 of 77,040". */
  line(): string {
    const { hotelRates: total, flights } = this.totals;
    const arrived = this.hotelRates + this.keptRates;
    const percent = total > 0 ? Math.floor((100 * arrived) / total) : 100;
    const seconds = this.first ? (this.lastRatesAt - this.first.at) / 1000 : 0;
    const rate = this.first && seconds > 0 ? `, ${count((this.hotelRates - this.first.rates) / seconds)}/s` : "";
    const kept = this.keptRates > 0 ? `, ${count(this.keptRates)} unchanged` : "";
    const rated = this.unchanged.has(HOTEL_SELLER)
      ? "hotel rates unchanged since the last pull"
      : `hotel rates ${count(arrived)} of ${count(total)} (${percent} %${rate}${kept})`;
    const flown = this.unchanged.has(FLIGHT_SELLER)
      ? "flights unchanged since the last pull"
      : this.flights === undefined
        ? `flights arriving (${count(flights)} expected)`
        : `flights ${count(this.flights)} of ${count(flights)}`;
    return `ingestion: ${rated}, ${flown}`;
  }
}
