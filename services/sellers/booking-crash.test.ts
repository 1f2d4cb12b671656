// The sellers process killed with SIGKILL while the seller is booking a
// paid reservation, then started again: the bus redelivers the message, the
// seller is asked again under the same ref (it booked it once, and answers
// the same reference), booking.ConfirmReservation is called once over gRPC
// with the sellers service's own token (fake identity, booking and payment
// on real servers, tokens verified and callers options enforced) — after
// booking.GetReservation, since a redelivery is a retry — and SIGTERM then
// stops it cleanly.
import { create } from "@bufbuild/protobuf";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deferred } from "../../endpoints/testing.js";
import { access } from "../../endpoints/middleware/access.js";
import { endpointsOf, type Service } from "../../endpoints/service.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { openDatabase } from "../../platform/db.js";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { testDatabase } from "../../platform/testing.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens } from "../identity/testing.js";
import { SellerBookingStore } from "./booking-store.js";
import { fakePeers, hotelItem, log, paidReservation } from "./bookings.fixture.js";
import { startFakeSellers } from "./fake-sellers.fixture.js";
import { fakeCatalog, fakePricing } from "./fixture.js";
import { bookingLedger, casaBookings } from "./test/booking-sellers.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { topicOf } from "../../endpoints/bus.js";

const unimplemented = () => Promise.reject(new Error("not in this fake"));

test("SIGKILL while the seller books: the restarted process books once, confirms once, as the sellers service", async () => {
  const db = await testDatabase();
  const tokens = await testTokens();
  const sellers = await startFakeSellers();
  // Casa books at once but answers the first request only when the test says so: the process dies waiting.
  const ledger = bookingLedger();
  const bookRoute = casaBookings(ledger)["/xml/bookings"]!;
  const firstArrived = deferred();
  const gate = deferred();
  sellers.casa.routes["/xml/bookings"] = async (url, body) => {
    const answer = await bookRoute(url, body);
    if (ledger.requests === 1) {
      firstArrived.resolve();
      await gate.promise;
    }
    return answer;
  };
  const peers = fakePeers();
  const identity: Service<typeof IdentityService> = {
    signUp: unimplemented,
    signIn: unimplemented,
    refresh: unimplemented,
    signOut: unimplemented,
    verifyEmail: unimplemented,
    getJwks: unimplemented,
    getCustomer: unimplemented,
    grantOperatorRole: unimplemented,
    issueServiceToken: async (_ctx, req) => ({ accessToken: (await tokens.service(req.serviceName)).token!, expiresInSeconds: 900 }),
  };
  const servers: RunningServer[] = [];
  const serve = async (routes: Parameters<typeof startServer>[0]["routes"]) => {
    const s = await startServer({ port: 0, log, routes });
    servers.push(s);
    return s.url;
  };
  const auth = { log, authenticate: tokens.authenticate };
  const env = {
    LOG_LEVEL: "error",
    DATABASE_URL: db.url,
    SELLERS_PORT: String(await freePort()),
    CATALOG_URL: await serve((r) => serveService(r, CatalogService, endpointsOf(CatalogService, fakeCatalog().impl), { log })),
    PRICING_URL: await serve((r) => serveService(r, PricingService, endpointsOf(PricingService, fakePricing().impl), { log })),
    IDENTITY_URL: await serve((r) => serveService(r, IdentityService, endpointsOf(IdentityService, identity), { log })),
    BOOKING_URL: await serve((r) => serveService(r, BookingService, endpointsOf(BookingService, peers.booking, access()), auth)),
    PAYMENT_URL: await serve((r) => serveService(r, PaymentService, endpointsOf(PaymentService, peers.payment, access()), auth)),
    SANDBOX_AIRLINE_URL: sellers.skylark.url,
    SANDBOX_HOTELS_URL: sellers.casa.url,
    SANDBOX_PUSH_URL: sellers.wanderly.url,
    SYNC_INTERVAL_MS: "3600000",
  };
  const open = (schema: string, dir: string) =>
    openDatabase({ url: db.url, dataDir: ".data/unused", embeddedPort: 54329, schema, log, migrationsDir: fileURLToPath(new URL(dir, import.meta.url)) });
  const ready = (child: TestProcess) =>
    until("readiness", async () => {
      if (child.child.exitCode !== null) throw new Error(`sellers exited: ${child.stderr()}`);
      const res = await fetch(`http://127.0.0.1:${env.SELLERS_PORT}/readyz`).catch(() => undefined);
      await res?.body?.cancel();
      return res?.status === 200 ? true : undefined;
    });

  let child: TestProcess | undefined;
  const busDb = await open("bus", "../../transport/bus/migrations");
  const sellersDb = await open("sellers", "./migrations");
  try {
    child = startProcess("services/sellers/main.ts", env);
    await ready(child);
    const r = paidReservation(hotelItem("casa"));
    const bus = new PostgresBus({ knex: busDb.knex, log });
    await bus.publish(postgresOutbox(busDb.knex), topicOf(ReservationEventSchema), r.reservationId, create(ReservationEventSchema, { event: { case: "paid", value: { reservation: r } } }));

    await firstArrived.promise;
    await child.kill(); // SIGKILL while the seller's answer is on its way
    assert.equal([ledger.bookings.size, peers.calls.length], [1, 0], "the seller booked it; nobody heard");

    child = startProcess("services/sellers/main.ts", env);
    await ready(child);
    const store = new SellerBookingStore(sellersDb.knex);
    const done = await until("the saga to finish", async () => {
      const b = await store.get(r.reservationId);
      return b?.outcome ? b : undefined;
    });
    const reference = ledger.bookings.get(r.reservationId)!.reference!;
    assert.equal([done.status, done.outcome, done.reference, done.attempts], ["confirmed", "confirmed", reference, 2]);
    assert.equal([ledger.requests, ledger.bookings.size], [2, 1], "asked twice, booked once");
    assert.equal(peers.of(r.reservationId), [
      ["getReservation", { reservationId: r.reservationId }],
      ["confirmReservation", { reservationId: r.reservationId, sellerReference: reference }],
    ], "the redelivery asks booking whether the reservation is still live before the seller");
    assert.equal(peers.calls.map((c) => [c.principal?.kind, c.principal?.id]), [["service", "sellers"], ["service", "sellers"]]);

    child.child.kill("SIGTERM");
    assert.is(await child.exited, 0, child.stderr());
  } finally {
    gate.resolve();
    await child?.kill();
    await Promise.all(servers.map((s) => s.close(1000)));
    await sellers.close();
    await busDb.close();
    await sellersDb.close();
    await db.drop();
  }
});

test.run();
