// The price store's repository: every SQL statement of pricing lives here or
// in ingestion.ts (the statements of IngestHotelRates).
import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import { FlightFareSchema, type FlightFare } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { DeliveryMeta } from "../../endpoints/bus.js";
import { inTransactionOnce } from "../../platform/inbox.js";
import { signalHotelPrices } from "./change-signal.js";
import { addDays, type IsoDate } from "./dates.js";
import { ingestRates, type IngestBatch, type IngestResult } from "./ingestion.js";
import type { RuleKind, RuleRow } from "./rules.js";

/** A precomputed stay total. */
export interface StayTotal {
  totalMinor: bigint;
  listTotalMinor: bigint;
  currency: string;
  promotion: string | null;
  available: number;
  priceTime: Date;
  stale: boolean;
}

/** A room one seller quotes, with its total for the stay asked, if there is one. */
export interface RoomStay {
  hotelId: string;
  roomId: string;
  sellerId: string;
  total: StayTotal | undefined;
  /** No total, and the seller's own rates say a night of the stay is sold out. */
  soldOut: boolean;
}

export interface StayQuery {
  hotelIds: readonly string[];
  checkIn: IsoDate;
  checkOut: IsoDate;
  nights: number;
}

export interface FareKey {
  origin: string;
  destination: string;
  departureDate: IsoDate;
}

export interface CachedFares {
  fares: FlightFare[];
  fetchTime: Date;
  expireTime: Date;
}

export class PricingStore {
  constructor(private readonly knex: Knex) {}

  ingest(batch: IngestBatch): Promise<IngestResult> {
    return ingestRates(this.knex, batch);
  }

  /**
   * Every room the sellers quote in these hotels, each with its total for
   * the stay when one is precomputed: one query, one index range per hotel.
   */
  async roomStays(q: StayQuery): Promise<RoomStay[]> {
    const { rows } = (await this.knex.raw(
      `
      select r.hotel_id, r.room_id, r.seller_id,
        t.total_minor, t.list_total_minor, t.currency, t.promotion, t.available, t.price_time, t.stale,
        coalesce(gone.sold_out, false) as sold_out
      from rooms r
      left join stay_totals t
        on t.hotel_id = r.hotel_id and t.check_in = ?::date and t.nights = ?
       and t.room_id = r.room_id and t.seller_id = r.seller_id
      -- only for rooms without a total: a lateral probe of the rates' primary key
      -- (an EXISTS here would be planned as a hash of every sold-out night)
      left join lateral (
        select true as sold_out from nightly_rates n
        where t.hotel_id is null
          and n.seller_id = r.seller_id and n.hotel_id = r.hotel_id and n.room_id = r.room_id
          and n.night >= ?::date and n.night < ?::date and n.available = 0
        limit 1
      ) gone on true
      where r.hotel_id = any(?::text[])
      order by r.hotel_id, r.room_id, r.seller_id
      `,
      [q.checkIn, q.nights, q.checkIn, q.checkOut, [...q.hotelIds]],
    )) as { rows: Row[] };
    return rows.map(toRoomStay);
  }

  /**
   * Marks every total and nightly rate of a room stale, for every seller.
   * Returns how many totals the room has, all stale now (the same on a repeat).
   */
  async invalidateRoom(hotelId: string, roomId: string): Promise<number> {
    return this.knex.transaction((trx) => markStale(trx, { hotelId, roomId }));
  }

  /**
   * RoomSoldOut, once per message: in one transaction with the inbox mark,
   * counts the stay's nights sold out once more (sold_out_nights) and marks
   * stale the room's nightly rates of the nights still counted sold out —
   * all of them unless a RoomAvailable came first — and every total that
   * includes one of them (of `sellerId` when given, else of every seller).
   * Answers how many totals of that scope are stale now, or undefined when
   * the message was handled before.
   */
  async roomSoldOut(meta: Pick<DeliveryMeta, "group" | "messageId">, scope: Required<StaleScope>): Promise<number | undefined> {
    let totals: number | undefined;
    await inTransactionOnce(this.knex, INBOX, meta, async (trx) => {
      totals = 0;
      for (const stay of await countSoldOut(trx, scope, 1)) totals += await markStale(trx, { ...scope, stay });
    });
    return totals;
  }

  /**
   * RoomAvailable, once per message: counts the stay's nights sold out once
   * less; the nights no longer counted sold out get their nightly rates and
   * the totals made only of firm nights back to firm (FRESH), as they were
   * before RoomSoldOut marked them. Answers how many totals became firm, or
   * undefined when the message was handled before.
   */
  async roomAvailable(meta: Pick<DeliveryMeta, "group" | "messageId">, scope: Required<StaleScope>): Promise<number | undefined> {
    let totals: number | undefined;
    await inTransactionOnce(this.knex, INBOX, meta, async (trx) => {
      totals = 0;
      for (const stay of await countSoldOut(trx, scope, -1)) totals += await markFirm(trx, { ...scope, stay });
    });
    return totals;
  }

  async cachedFares(key: FareKey): Promise<CachedFares | undefined> {
    const row = (await this.knex("flight_fares")
      .where({ origin: key.origin, destination: key.destination, departure_date: key.departureDate })
      .first("fares", "fetch_time", "expire_time")) as { fares: JsonValue[]; fetch_time: Date; expire_time: Date } | undefined;
    if (!row) return undefined;
    return {
      fares: row.fares.map((f) => fromJson(FlightFareSchema, f)),
      fetchTime: row.fetch_time,
      expireTime: row.expire_time,
    };
  }

  async saveFares(key: FareKey, entry: CachedFares): Promise<void> {
    await this.knex("flight_fares")
      .insert({
        origin: key.origin,
        destination: key.destination,
        departure_date: key.departureDate,
        fares: JSON.stringify(entry.fares.map((f) => toJson(FlightFareSchema, f))),
        fetch_time: entry.fetchTime,
        expire_time: entry.expireTime,
      })
      .onConflict(["origin", "destination", "departure_date"])
      .merge();
  }

  /** The active rules, as compileRules takes them. */
  async activeRules(): Promise<RuleRow[]> {
    const rows = (await this.knex("rules")
      .where({ active: true })
      .select("name", "kind", "expression", "priority", "percent_off")) as {
      name: string;
      kind: RuleKind;
      expression: string;
      priority: number;
      percent_off: number | null;
    }[];
    return rows.map((r) => ({ name: r.name, kind: r.kind, expression: r.expression, priority: r.priority, percentOff: r.percent_off }));
  }
}

/** The inbox of pricing's consumers (migration 0002). */
const INBOX = "inbox";

/** What to mark stale: a room, optionally only one seller's and only the nights of a stay. */
export interface StaleScope {
  hotelId: string;
  roomId: string;
  /** "" or absent: every seller. */
  sellerId?: string;
  /** The first night and the day of departure; absent: every night. */
  stay?: { checkIn: IsoDate; checkOut: IsoDate };
}

/** InvalidateRoom's statements, narrowed by `scope`: totals overlapping the stay, rates of its nights. */
async function markStale(trx: Knex.Transaction, scope: StaleScope): Promise<number> {
  const seller = scope.sellerId ?? "";
  const from = scope.stay?.checkIn ?? null;
  const to = scope.stay?.checkOut ?? null;
  await trx.raw(
    `
    update nightly_rates n set stale = true
    from rooms r
    where r.hotel_id = ? and r.room_id = ? and (? = '' or r.seller_id = ?)
      and n.seller_id = r.seller_id and n.hotel_id = r.hotel_id and n.room_id = r.room_id and not n.stale
      and (?::date is null or (n.night >= ?::date and n.night < ?::date))
    `,
    [scope.hotelId, scope.roomId, seller, seller, from, from, to],
  );
  // A total covers the nights check_in … check_in + nights - 1: stale when one of them is in the stay.
  const inScope = `hotel_id = ? and room_id = ? and (? = '' or seller_id = ?)
      and (?::date is null or (check_in < ?::date and check_in + nights > ?::date))`;
  const bindings = [scope.hotelId, scope.roomId, seller, seller, from, to, from];
  await signalHotelPrices(trx, [scope.hotelId], from ?? "0001-01-01", to === null ? "9999-12-31" : addDays(to, -1));
  const { rows } = (await trx.raw(
    `
    with marked as (
      update stay_totals set stale = true
      where ${inScope} and not stale
      returning 1
    )
    select (select count(*) from marked)
         + (select count(*) from stay_totals where ${inScope} and stale) as totals
    `,
    [...bindings, ...bindings],
  )) as { rows: [{ totals: bigint }] };
  return Number(rows[0].totals);
}

/**
 * Adds `delta` to the sold-out count of each night of the stay; answers, as
 * runs of consecutive nights, those counted sold out (delta 1) or no longer
 * (delta -1) after it. Counts at zero are deleted; a negative one (a
 * RoomAvailable that overtook its RoomSoldOut) waits for its pair.
 */
async function countSoldOut(trx: Knex.Transaction, scope: Required<StaleScope>, delta: 1 | -1): Promise<{ checkIn: IsoDate; checkOut: IsoDate }[]> {
  const { rows } = (await trx.raw(
    `insert into sold_out_nights as s (seller_id, hotel_id, room_id, night, balance)
     select ?, ?, ?, night::date, ? from generate_series(?::date, ?::date - 1, interval '1 day') as night
     on conflict (seller_id, hotel_id, room_id, night) do update set balance = s.balance + excluded.balance
     returning to_char(night, 'YYYY-MM-DD') as night, balance`,
    [scope.sellerId, scope.hotelId, scope.roomId, delta, scope.stay.checkIn, scope.stay.checkOut],
  )) as { rows: { night: IsoDate; balance: number }[] };
  await trx.raw(`delete from sold_out_nights where seller_id = ? and hotel_id = ? and room_id = ? and balance = 0`, [
    scope.sellerId,
    scope.hotelId,
    scope.roomId,
  ]);
  const wanted = rows.filter((r) => (delta > 0 ? r.balance > 0 : r.balance <= 0)).map((r) => r.night).sort();
  const runs: { checkIn: IsoDate; checkOut: IsoDate }[] = [];
  for (const night of wanted) {
    const last = runs[runs.length - 1];
    if (last && last.checkOut === night) last.checkOut = addDays(night, 1);
    else runs.push({ checkIn: night, checkOut: addDays(night, 1) });
  }
  return runs;
}

/**
 * Undoes markStale for one seller's room over a stay: its nightly rates of
 * those nights firm again, and every total overlapping them whose nights are
 * all firm now (a total is stale when one of its nights is, as ingestion
 * computes it). Answers how many totals became firm.
 */
async function markFirm(trx: Knex.Transaction, scope: Required<StaleScope>): Promise<number> {
  const { checkIn: from, checkOut: to } = scope.stay;
  const room = [scope.sellerId, scope.hotelId, scope.roomId];
  await trx.raw(
    `update nightly_rates set stale = false
      where seller_id = ? and hotel_id = ? and room_id = ? and night >= ?::date and night < ?::date and stale`,
    [...room, from, to],
  );
  const { rowCount } = (await trx.raw(
    `update stay_totals t set stale = false
      where t.seller_id = ? and t.hotel_id = ? and t.room_id = ? and t.stale
        and t.check_in < ?::date and t.check_in + t.nights > ?::date
        and not exists (
          select 1 from nightly_rates n
           where n.seller_id = t.seller_id and n.hotel_id = t.hotel_id and n.room_id = t.room_id
             and n.night >= t.check_in and n.night < t.check_in + t.nights and n.stale)`,
    [...room, to, from],
  )) as { rowCount: number };
  await signalHotelPrices(trx, [scope.hotelId], from, addDays(to, -1));
  return rowCount;
}

type Row = Record<string, unknown>;

function int8(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "string") return BigInt(v);
  throw new Error(`expected an int8 column, got ${typeof v}`);
}

function toRoomStay(r: Row): RoomStay {
  return {
    hotelId: r.hotel_id as string,
    roomId: r.room_id as string,
    sellerId: r.seller_id as string,
    soldOut: r.sold_out === true,
    total:
      r.total_minor === null
        ? undefined
        : {
            totalMinor: int8(r.total_minor),
            listTotalMinor: int8(r.list_total_minor),
            currency: r.currency as string,
            promotion: (r.promotion as string | null) ?? null,
            available: r.available as number,
            priceTime: r.price_time as Date,
            stale: r.stale === true,
          },
  };
}
