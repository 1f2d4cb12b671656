// make bench-booking: the booking pipeline's latency and throughput over the
// real processes (the marketplace of e2e/marketplace.fixture.ts on its own
// embedded PostgreSQL), no crashes.
//   latency: from the gateway's callback (the payment turning AUTHORISED) to
//            the reservation turning CONFIRMED, both as the services stamped
//            them (one clock: one machine), p50/p99 over BENCH_BOOKINGS (200);
//   throughput: bookings confirmed per second while BENCH_IN_FLIGHT (16)
//            customers pay at once, from the first callback to the last
//            confirmation.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { pino } from "pino";
import { ReservationState } from "../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState } from "../gen/itinera/payment/v1/payment_pb.js";
import { ensureEmbeddedPostgres } from "../platform/embedded-postgres.js";
import { until } from "../platform/processes.testing.js";
import { CARDS, startMarketplace, type Customer } from "../e2e/marketplace.fixture.js";

const ROOT = new URL("..", import.meta.url).pathname;
const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 200);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16);
const CUSTOMERS = 20;
const say = (line: string) => process.stdout.write(`${line}\n`);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  const dataDir = join(ROOT, ".data", "bench-booking-pg");
  await rm(dataDir, { recursive: true, force: true });
  const pg = await ensureEmbeddedPostgres({ dataDir, port: 54359, log: pino({ level: "warn" }) });
  process.env.TEST_DATABASE_URL = pg.url;
  const started = Date.now();
  const m = await startMarketplace();
  try {
    say(`marketplace ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const customers: Customer[] = [];
    for (let i = 0; i < CUSTOMERS; i++) customers.push(await m.signUp(`bench${i}`));
    const stays = await m.findStays(customers[0]!.customerId, 12);
    say(`${BOOKINGS} bookings, ${IN_FLIGHT} customers paying at once`);

    const paid: { customer: Customer; paymentId: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < BOOKINGS) {
          const n = next++;
          const customer = customers[n % CUSTOMERS]!;
          const stay = stays[n % stays.length]!;
          const { paymentId } = await m.pay(customer, { ...stay, markdownMinor: 0n, priceMinor: stay.listedMinor }, CARDS.authorises);
          paid.push({ customer, paymentId });
        }
      }),
    );

    const latencies: number[] = [];
    const callbacks: number[] = [];
    const confirmations: number[] = [];
    await until(
      "every booking confirmed",
      async () => {
        latencies.length = callbacks.length = confirmations.length = 0;
        for (const c of customers) {
          const mine = paid.filter((p) => p.customer === c);
          const list = await m.clients.booking.listReservations(m.ctx(c.principal), { pageSize: 100 });
          for (const p of mine) {
            const r = list.reservations.find((x) => x.paymentId === p.paymentId);
            if (r?.state !== ReservationState.CONFIRMED) return undefined;
            const payment = (await m.clients.payment.getPayment(m.ctx(c.principal), { paymentId: p.paymentId })).payment!;
            if (payment.state !== PaymentState.AUTHORISED) return undefined;
            const callback = timestampMs(payment.authoriseTime!);
            const confirmed = timestampMs(r.updateTime!);
            latencies.push(confirmed - callback);
            callbacks.push(callback);
            confirmations.push(confirmed);
          }
        }
        return true;
      },
      300_000,
    );
    latencies.sort((a, b) => a - b);
    const span = (Math.max(...confirmations) - Math.min(...callbacks)) / 1000;
    say(`callback → CONFIRMED over ${latencies.length} bookings: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`);
    say(`throughput: ${latencies.length} bookings confirmed in ${span.toFixed(1)} s = ${(latencies.length / span).toFixed(1)} bookings/s`);
  } finally {
    await m.close();
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
