// Ingestion benchmark (not a test): the demo's hotel inventory, 4 rooms per
// hotel, 90 nights of rates from today, ingested through the service (with
// validation) in batches of 50,000 rates as the sellers service sends them;
// then GetHotelOffers' query for 100 hotels of a city and one stay.
//
//   TEST_DATABASE_URL=postgres://… node --import tsx bench/pricing-ingestion.ts [hotels=2000] [sellers=1]
//
// A fresh database is created on that server and dropped at the end.
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { backgroundContext } from "../endpoints/context.js";
import { unavailable } from "../endpoints/errors.js";
import { validation } from "../endpoints/middleware/validation.js";
import { localClient, type Service } from "../endpoints/service.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import { openDatabase } from "../platform/db.js";
import { testDatabase } from "../platform/testing.js";
import { addDays, dateMessage, utcDay } from "../services/pricing/dates.js";
import { MIGRATIONS, type RateInit } from "../services/pricing/fixture.js";
import { PricingRules } from "../services/pricing/rules.js";
import { pricingService } from "../services/pricing/service.js";
import { PricingStore } from "../services/pricing/store.js";
import { MAX_RATES, pricingValidators } from "../services/pricing/validators.js";

const HOTELS = Number(process.argv[2] ?? 2000);
const SELLERS = Number(process.argv[3] ?? 1);
const ROOMS = ["DBL-STD", "DBL-SUP", "TWN-STD", "STE-DLX"];
const NIGHTS = 90;

function* rooms() {
  for (let h = 0; h < HOTELS; h++) for (const room of ROOMS) yield { hotelId: `h-P${String(h).padStart(6, "0")}`, roomId: room };
}

/** A deterministic PRNG (mulberry32), so every run ingests the same rates. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batches(today: string, seller: number): RateInit[][] {
  const random = prng(42 + seller);
  const out: RateInit[][] = [];
  let batch: RateInit[] = [];
  const roomsPerBatch = Math.floor(MAX_RATES / NIGHTS);
  let inBatch = 0;
  for (const r of rooms()) {
    const base = 6_000 + Math.floor(random() * 30_000);
    for (let n = 0; n < NIGHTS; n++) {
      batch.push({
        ...r,
        night: dateMessage(addDays(today, n)),
        price: { amountMinor: BigInt(base + Math.floor(random() * 2_000)), currency: "EUR" },
        available: random() < 0.03 ? 0 : 1 + Math.floor(random() * 8),
      });
    }
    if (++inBatch === roomsPerBatch) {
      out.push(batch);
      batch = [];
      inBatch = 0;
    }
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const log = pino({ level: "warn" });
  const testDb = await testDatabase();
  const db = await openDatabase({ url: testDb.url, dataDir: ".data/unused", embeddedPort: 54329, schema: "pricing", migrationsDir: MIGRATIONS, log });
  try {
    const store = new PricingStore(db.knex);
    const rules = await PricingRules.load(() => store.activeRules());
    const down = () => Promise.reject(unavailable("no sellers in this benchmark"));
    const noSellers: Service<typeof SellersService> = { quoteFlights: down, quoteHotelStay: down, syncSeller: down, listSellers: down, receivePush: down };
    const pricing = localClient(PricingService, pricingService({ store, rules, sellers: localClient(SellersService, noSellers) }), validation(pricingValidators()));
    const ctx = backgroundContext({ log });
    const today = utcDay(new Date());
    const sellerIds = ["casa", "wanderly", "third"].slice(0, SELLERS);

    console.log(`${HOTELS} hotels × ${ROOMS.length} rooms × ${NIGHTS} nights, ${sellerIds.length} seller(s), batches of ≤ ${MAX_RATES} rates`);
    const started = performance.now();
    let rates = 0;
    let totals = 0;
    const batchMs: number[] = [];
    for (const [s, sellerId] of sellerIds.entries()) {
      for (const batch of batches(today, s)) {
        const t0 = performance.now();
        const res = await pricing.ingestHotelRates(ctx, { sellerId, rates: batch });
        batchMs.push(performance.now() - t0);
        rates += res.rates;
        totals += res.totals;
        process.stdout.write(`  batch ${batchMs.length}: ${res.rates} rates → ${res.totals} totals in ${(batchMs.at(-1)! / 1000).toFixed(2)} s\n`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`ingested ${rates} rates → ${totals} totals in ${seconds.toFixed(1)} s (${Math.round(totals / seconds)} totals/s)`);

    const [again] = batches(today, 0);
    const t1 = performance.now();
    await pricing.ingestHotelRates(ctx, { sellerId: sellerIds[0]!, rates: again! });
    console.log(`re-ingesting one unchanged batch: ${((performance.now() - t1) / 1000).toFixed(2)} s`);

    await db.knex.raw("vacuum analyze stay_totals, rooms, nightly_rates");
    const sizes = (await db.knex.raw(
      `select relname, pg_size_pretty(pg_total_relation_size(oid)) as size from pg_class where relname in ('stay_totals', 'nightly_rates', 'rooms') order by relname`,
    )) as { rows: { relname: string; size: string }[] };
    console.log(`sizes: ${sizes.rows.map((r) => `${r.relname} ${r.size}`).join(", ")}`);

    // GetHotelOffers for 100 hotels of a "city" (consecutive ids) and one stay: the store's one query.
    const random = prng(7);
    const ms: number[] = [];
    for (let i = 0; i < 300; i++) {
      const first = Math.floor(random() * Math.max(1, HOTELS - 100));
      const hotelIds = Array.from({ length: Math.min(100, HOTELS) }, (_, k) => `h-P${String(first + k).padStart(6, "0")}`);
      const checkIn = addDays(today, Math.floor(random() * 83));
      const nights = 1 + Math.floor(random() * 7);
      const t = performance.now();
      const res = await pricing.getHotelOffers(ctx, { hotelIds, checkIn: dateMessage(checkIn), checkOut: dateMessage(addDays(checkIn, nights)) });
      ms.push(performance.now() - t);
      if (i === 0) console.log(`GetHotelOffers: 100 hotels → ${res.offers.length} offers`);
    }
    ms.sort((a, b) => a - b);
    console.log(`GetHotelOffers (100 hotels, one stay, in-process): p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`);
    const plan = (await db.knex.raw(
      `explain (analyze, buffers, costs off)
       select r.hotel_id, t.total_minor from rooms r
       left join stay_totals t on t.hotel_id = r.hotel_id and t.check_in = ?::date and t.nights = 3 and t.room_id = r.room_id and t.seller_id = r.seller_id
       where r.hotel_id = any(?::text[])`,
      [addDays(today, 10), Array.from({ length: 100 }, (_, k) => `h-P${String(k).padStart(6, "0")}`)],
    )) as { rows: { "QUERY PLAN": string }[] };
    console.log(plan.rows.map((r) => `  ${r["QUERY PLAN"]}`).join("\n"));
  } finally {
    await db.close();
    await testDb.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
