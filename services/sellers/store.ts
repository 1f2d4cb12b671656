// The sellers service's repository: every SQL statement of the service lives
// here. Bookkeeping only (listings and rates live in catalog and pricing):
// last arrival per seller, received push ids, coverage (who sells what),
// flight routes by number and what each pull seller's last pull was.
import type { Knex } from "knex";
import type { Route } from "./adapter.js";

export interface FlightRoute extends Route {
  flightNumber: string;
}

/** What a push outcome was, first time or replayed. */
export interface PushOutcome {
  duplicate: boolean;
  listings: number;
  rates: number;
}

/** Writes that run inside a push's transaction, or on their own. */
export class SellersBookkeeping {
  constructor(protected readonly db: Knex | Knex.Transaction) {}

  /** Records that `sellerId` sells `items` ("hotel:<id>", "route:LIS-MAD"). */
  async recordCoverage(sellerId: string, items: readonly string[]): Promise<void> {
    const unique = [...new Set(items)];
    if (unique.length === 0) return;
    await this.db.raw(
      `insert into coverage (item, seller_id) select unnest(?::text[]), ? on conflict do nothing`,
      [unique, sellerId],
    );
  }

  /** Remembers each flight number's route (the latest listing wins). */
  async recordFlightRoutes(routes: readonly FlightRoute[]): Promise<void> {
    const byNumber = new Map(routes.map((r) => [r.flightNumber, r]));
    if (byNumber.size === 0) return;
    const rows = [...byNumber.values()];
    await this.db.raw(
      `insert into flight_routes (flight_number, origin, destination)
       select * from unnest(?::text[], ?::text[], ?::text[])
       on conflict (flight_number) do update set origin = excluded.origin, destination = excluded.destination
       where (flight_routes.origin, flight_routes.destination) <> (excluded.origin, excluded.destination)`,
      [rows.map((r) => r.flightNumber), rows.map((r) => r.origin), rows.map((r) => r.destination)],
    );
  }

  /** The routes of the given flight numbers (unknown numbers are left out). */
  async routesOf(flightNumbers: readonly string[]): Promise<Route[]> {
    if (flightNumbers.length === 0) return [];
    const rows = (await this.db("flight_routes")
      .distinct("origin", "destination")
      .whereIn("flight_number", [...new Set(flightNumbers)])) as { origin: string; destination: string }[];
    return rows.map((r) => ({ origin: r.origin, destination: r.destination }));
  }

  /** The seller's data arrived at `at`. */
  async recordArrival(sellerId: string, at: Date): Promise<void> {
    await this.db.raw(
      `insert into feeds (seller_id, last_sync_time) values (?, ?)
       on conflict (seller_id) do update set last_sync_time = greatest(feeds.last_sync_time, excluded.last_sync_time)`,
      [sellerId, at],
    );
  }
}

export class SellersStore extends SellersBookkeeping {
  constructor(private readonly knex: Knex) {
    super(knex);
  }

  /** What the seller's last pulls recorded, by part ("version", "listings:3"). */
  async pullState(sellerId: string): Promise<Map<string, string>> {
    const rows = await this.knex("pull_state").select("part", "value").where({ seller_id: sellerId });
    return new Map(rows.map((r: { part: string; value: string }) => [r.part, r.value]));
  }

  /** Records one part of the seller's pull, once what it stands for is written. */
  async recordPullState(sellerId: string, part: string, value: string): Promise<void> {
    await this.knex.raw(
      `insert into pull_state (seller_id, part, value) values (?, ?, ?)
       on conflict (seller_id, part) do update set value = excluded.value`,
      [sellerId, part, value],
    );
  }

  /** Forgets the parts of the seller's pull state that a pull did not produce (pages beyond its last). */
  async keepPullState(sellerId: string, parts: readonly string[]): Promise<void> {
    await this.knex.raw(`delete from pull_state where seller_id = ? and not (part = any(?::text[]))`, [sellerId, parts]);
  }

  /**
   * Whose coverage of `item` is known: `reported` are the sellers whose data
   * has arrived at least once, `selling` those of them that sell the item.
   */
  async coverageOf(item: string): Promise<{ reported: Set<string>; selling: Set<string> }> {
    const rows = (await this.knex.raw(
      `select f.seller_id, exists (select 1 from coverage c where c.item = ? and c.seller_id = f.seller_id) as sells
       from feeds f`,
      [item],
    )) as { rows: { seller_id: string; sells: boolean }[] };
    return {
      reported: new Set(rows.rows.map((r) => r.seller_id)),
      selling: new Set(rows.rows.filter((r) => r.sells).map((r) => r.seller_id)),
    };
  }

  /** When each seller's data last arrived. */
  async lastArrivals(): Promise<Map<string, Date>> {
    const rows = (await this.knex("feeds").select("seller_id", "last_sync_time")) as {
      seller_id: string;
      last_sync_time: Date;
    }[];
    return new Map(rows.map((r) => [r.seller_id, r.last_sync_time]));
  }

  /**
   * Runs `work` once per (seller, push id). The push id is inserted first, in
   * the same transaction as the work's bookkeeping: a concurrent duplicate
   * waits on it and then sees a replay; a failed work rolls it back, so the
   * seller's retry is processed. A replay answers the first outcome's counts.
   */
  async receivePush(
    sellerId: string,
    pushId: string,
    at: Date,
    work: (tx: SellersBookkeeping) => Promise<{ listings: number; rates: number }>,
  ): Promise<PushOutcome> {
    return this.knex.transaction(async (trx) => {
      const inserted = (await trx.raw(
        `insert into pushes (seller_id, push_id, listings, rates, receive_time) values (?, ?, 0, 0, ?)
         on conflict do nothing returning push_id`,
        [sellerId, pushId, at],
      )) as { rows: unknown[] };
      if (inserted.rows.length === 0) {
        const first = (await trx("pushes").where({ seller_id: sellerId, push_id: pushId }).first()) as {
          listings: number;
          rates: number;
        };
        return { duplicate: true, listings: first.listings, rates: first.rates };
      }
      const counts = await work(new SellersBookkeeping(trx));
      await trx("pushes").where({ seller_id: sellerId, push_id: pushId }).update(counts);
      return { duplicate: false, ...counts };
    });
  }
}
