// make bench-booking: the booking pipeline over the real processes (the
// marketplace of e2e/marketplace.fixture.ts on its own embedded PostgreSQL),
// no crashes, on each bus engine in turn, same machine, same run
// (BENCH_BUS=postgres,nats,nats-cluster: the PostgreSQL log, NATS JetStream
// on one local nats-server, then on a 3-node cluster on loopback with the
// streams replicated 3×), a fresh database for each, two phases each:
//   latency:    BENCH_BOOKINGS (200) bookings paid at a fixed BENCH_RATE (4/s),
//               below what the pipeline sustains, so nothing queues: from the
//               gateway's callback (the payment's authorise_time) to the
//               reservation turning CONFIRMED (its update_time), both stamped
//               by the services on one machine's clock — p50/p99;
//   throughput: BENCH_BOOKINGS more, BENCH_IN_FLIGHT (16) customers paying at
//               once: bookings confirmed per second from the first callback to
//               the last confirmation (and the latency then, queueing included).
// A table of every engine closes the run.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { pino } from "pino";
import { ReservationState, type Reservation } from "../gen/itinera/booking/v1/booking_pb.js";
import { ensureEmbeddedPostgres } from "../platform/embedded-postgres.js";
import { until } from "../platform/processes.testing.js";
import { CARDS, startMarketplace, type Customer, type Marketplace } from "../e2e/marketplace.fixture.js";
import { startNatsCluster } from "../transport/bus/nats-cluster.testing.js";

const ROOT = new URL("..", import.meta.url).pathname;
const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 4);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16);
const CUSTOMERS = 20;
const say = (line: string) => process.stdout.write(`${line}\n`);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

interface Paid {
  customer: Customer;
  paymentId: string;
}

interface Timings {
  latencies: number[];
  firstCallback: number;
  lastConfirmation: number;
}

const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - Date.now())));

/** Waits until every payment's reservation is CONFIRMED; answers the services' own timestamps. */
async function confirmed(m: Marketplace, customers: Customer[], paid: Paid[]): Promise<Timings> {
  const reservations = await until(
    "every booking confirmed",
    async () => {
      await sleepUntil(Date.now() + 1000); // a light poll: the pipeline is what is measured
      const found = new Map<string, Reservation>();
      for (const c of customers.filter((x) => paid.some((p) => p.customer === x))) {
        let pageToken = "";
        do {
          const page = await m.clients.booking.listReservations(m.ctx(c.principal), { pageSize: 100, pageToken });
          for (const r of page.reservations) found.set(r.paymentId, r);
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
      }
      return paid.every((p) => found.get(p.paymentId)?.state === ReservationState.CONFIRMED) ? found : undefined;
    },
    600_000,
  );
  const t: Timings = { latencies: [], firstCallback: Infinity, lastConfirmation: 0 };
  for (const p of paid) {
    const payment = (await m.clients.payment.getPayment(m.ctx(p.customer.principal), { paymentId: p.paymentId })).payment!;
    const callback = timestampMs(payment.authoriseTime!);
    const done = timestampMs(reservations.get(p.paymentId)!.updateTime!);
    t.latencies.push(done - callback);
    t.firstCallback = Math.min(t.firstCallback, callback);
    t.lastConfirmation = Math.max(t.lastConfirmation, done);
  }
  return t;
}

type Bus = "postgres" | "nats" | "nats-cluster";
const ENGINES: Record<Bus, string> = {
  postgres: "PostgreSQL log",
  nats: "NATS JetStream (1 node)",
  "nats-cluster": "NATS JetStream (3 nodes, R3)",
};

/** A marketplace on `bus`, and what else to stop with it (the cluster). */
async function marketplaceOn(bus: Bus): Promise<{ m: Marketplace; stop(): Promise<void> }> {
  if (bus !== "nats-cluster") {
    const m = await startMarketplace({}, { bus });
    return { m, stop: () => m.close() };
  }
  const cluster = await startNatsCluster({ size: 3 });
  try {
    const m = await startMarketplace({ NATS_REPLICAS: "3" }, { bus: "nats", natsUrl: cluster.urls.join(",") });
    return { m, stop: () => m.close().finally(() => cluster.stop()) };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

function busesWanted(): Bus[] {
  const wanted = (process.env.BENCH_BUS ?? "postgres,nats,nats-cluster").split(",").map((b) => b.trim());
  const unknown = wanted.filter((b) => !(b in ENGINES));
  if (unknown.length > 0) throw new Error(`BENCH_BUS: unknown engine ${unknown.join(", ")}; choose among ${Object.keys(ENGINES).join(", ")}`);
  return wanted as Bus[];
}

interface Figures {
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
}

function figures(t: Timings): Figures {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  const span = (t.lastConfirmation - t.firstCallback) / 1000;
  const f = { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)!, perSecond: sorted.length / span };
  say(`  callback → CONFIRMED over ${sorted.length} bookings: p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms`);
  say(`  ${sorted.length} bookings confirmed in ${span.toFixed(1)} s = ${f.perSecond.toFixed(1)} bookings/s`);
  return f;
}

/** Both phases on a marketplace whose services use `bus`. */
async function measure(bus: Bus): Promise<{ latency: Figures; throughput: Figures }> {
  const started = Date.now();
  const { m, stop } = await marketplaceOn(bus);
  try {
    say(`${ENGINES[bus]}: marketplace ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const customers: Customer[] = [];
    for (let i = 0; i < CUSTOMERS; i++) customers.push(await m.signUp(`bench${i}`));
    const stays = await m.findStays(undefined, 12);
    let n = 0;
    const book = async () => {
      const i = n++;
      const customer = customers[i % CUSTOMERS]!;
      const stay = stays[i % stays.length]!;
      // Quoted for this customer by the fixture with the development secret, as search would sign it (no markdown).
      const { paymentId } = await m.pay(customer, { ...stay, quote: undefined, markdownMinor: 0n, priceMinor: stay.listedMinor }, CARDS.authorises);
      return { customer, paymentId };
    };

    say(`  latency: ${BOOKINGS} bookings paid at ${RATE}/s`);
    const paced: Promise<Paid>[] = [];
    const t0 = Date.now();
    for (let i = 0; i < BOOKINGS; i++) {
      await sleepUntil(t0 + (i * 1000) / RATE);
      paced.push(book());
    }
    const latency = figures(await confirmed(m, customers, await Promise.all(paced)));

    say(`  throughput: ${BOOKINGS} bookings, ${IN_FLIGHT} customers paying at once`);
    const burst: Paid[] = [];
    let left = BOOKINGS;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (left-- > 0) burst.push(await book());
      }),
    );
    const throughput = figures(await confirmed(m, customers, burst));
    return { latency, throughput };
  } finally {
    await stop();
  }
}

async function main() {
  const buses = busesWanted();
  const dataDir = join(ROOT, ".data", "bench-booking-pg");
  await rm(dataDir, { recursive: true, force: true });
  const pg = await ensureEmbeddedPostgres({ dataDir, port: 54359, log: pino({ level: "warn" }) });
  process.env.TEST_DATABASE_URL = pg.url;
  const rows: string[] = [];
  try {
    for (const bus of buses) {
      const { latency: l, throughput: t } = await measure(bus);
      rows.push(`| ${ENGINES[bus]} | ${l.p50} | ${l.p99} | ${t.perSecond.toFixed(1)} | ${t.p50} | ${t.p99} |`);
    }
  } finally {
    await pg.stop();
  }
  say("");
  say(`callback → CONFIRMED, ${BOOKINGS} bookings at ${RATE}/s, then ${BOOKINGS} with ${IN_FLIGHT} customers paying at once (ms):`);
  say(`| engine | p50 at ${RATE}/s | p99 at ${RATE}/s | bookings/s, ${IN_FLIGHT} at once | p50 then | p99 then |`);
  say("|---|---|---|---|---|---|");
  rows.forEach((row) => say(row));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
