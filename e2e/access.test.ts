// test-timeout-seconds: 900
// The access matrix, generated from the contracts: for every method of every
// itinera service in gen/ that the system serves, over the real processes
// (`make start`'s supervisor, every main.ts wired as in production) and over
// Connect and gRPC, a call with no token, with a customer's token, with
// another customer's where the request names the owner's data, with the token
// of a service the contract does not name, with each identity it names, and
// with a person's token carrying the operator role where it names operators —
// each expecting its code exactly: UNAUTHENTICATED / PERMISSION_DENIED /
// NOT_FOUND / OK (an example that names what the system has none of, a dead
// letter, is NOT_FOUND for its allowed callers: past access). A contract that
// several processes serve (SERVED_BY) is checked on each. The rows come from
// the descriptors and their (itinera.options.v1.callers); the requests from
// e2e/access-examples.ts.
import { randomBytes } from "node:crypto";
import { create, type DescMessage, type DescMethod, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import type { Principal } from "../endpoints/context.js";
import { callersOf, type MethodCallers } from "../endpoints/endpoint.js";
import { Code, codeName } from "../endpoints/errors.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { ReservationState } from "../gen/itinera/booking/v1/booking_pb.js";
import { ItemSchema } from "../gen/itinera/type/v1/item_pb.js";
import { DateSchema } from "../gen/itinera/type/v1/date_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { until } from "../platform/processes.testing.js";
import { generateInventory } from "../sandbox/inventory.js";
import { dateOf, dayNumber, utcToday } from "../sandbox/calendar.js";
import { servicesIn } from "../scripts/lint-callers.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import { WebService } from "../gen/itinera/web/v1/web_pb.js";
import { CSRF_COOKIE, CSRF_HEADER } from "../services/web/cookies.js";
import { EXAMPLES, type World } from "./access-examples.js";
import { CARDS, FINAL_STATES, startMarketplace, type Marketplace } from "./marketplace.fixture.js";

/** Contracts no process of the system serves, and why. */
const NOT_SERVED: Record<string, string> = {
  "itinera.echo.v1.EchoService": "the kit's own test service, served by kit tests only",
};
/** Contracts served by several processes, each for its own part: checked on every one of them. */
const SERVED_BY: Record<string, string[]> = {
  "itinera.bus.v1.DeadLetterService": ["booking", "mailer", "payment", "pricing", "sellers"],
};
/** Every identity that exists: the system's services and the people's tools. */
const IDENTITIES = ["booking", "catalog", "mailer", "payment", "pricing", "search", "sellers", "wallet", "web", "operator"];
const PASSWORD = "correct horse battery";
const GEN = new URL("../gen/itinera", import.meta.url).pathname;

type Who = { label: string; principal: () => Promise<Principal | undefined>; expected: Code | "OK" };

/** The rows of one method, from its declared callers alone. */
function rowsOf(callers: MethodCallers, owned: boolean, w: World, allowed: Code | "OK" = "OK"): Who[] {
  const ok = (yes: boolean, no: Code) => (yes ? allowed : no);
  const outsider = IDENTITIES.find((s) => !callers.services.includes(s))!;
  const rows: Who[] = [
    { label: "no token", principal: async () => undefined, expected: ok(callers.anyone, Code.Unauthenticated) },
    { label: "customer", principal: async () => w.alice.principal, expected: ok(callers.anyone || callers.customer, Code.PermissionDenied) },
  ];
  if (owned && callers.customer) rows.push({ label: "another customer", principal: async () => w.bob.principal, expected: Code.NotFound });
  rows.push({ label: `service ${outsider} (not named)`, principal: () => w.service(outsider), expected: ok(callers.anyone, Code.PermissionDenied) });
  for (const s of callers.services) rows.push({ label: `service ${s}`, principal: () => w.service(s), expected: allowed });
  // A person with the operator role, where the contract admits operators and not customers in general.
  if (callers.operator && !callers.customer && !callers.anyone) rows.push({ label: "operator person", principal: async () => w.olivia.principal, expected: allowed });
  return rows;
}

/**
 * Calls one method as `principal` with a plain connect-es client (the token
 * as `authorization: Bearer`); a server stream is read to its first message.
 * Without a token the BFF's caller is a browser page, which sends its CSRF
 * double-submit pair as the app does (a bearer token needs none).
 */
/** What an allowed call may answer when a dependency is late, not refused. */
const LATE = new Set([Code.Unavailable, Code.DeadlineExceeded]);

async function call(service: DescService, method: DescMethod, url: string, protocol: "connect" | "grpc", principal: Principal | undefined, req: MessageInitShape<DescMessage>) {
  const csrf = randomBytes(16).toString("hex");
  const headers: Interceptor = (next) => (r) => {
    if (principal?.token) r.header.set("authorization", `Bearer ${principal.token}`);
    else if (service.typeName === WebService.typeName) {
      r.header.set("cookie", `${CSRF_COOKIE}=${csrf}`);
      r.header.set(CSRF_HEADER, csrf);
    }
    return next(r);
  };
  const transport =
    protocol === "connect"
      ? createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [headers] })
      : createGrpcTransport({ baseUrl: url, interceptors: [headers] });
  const client = createClient(service, transport) as unknown as Record<string, (req: unknown, o: { signal: AbortSignal; timeoutMs: number }) => unknown>;
  const abort = new AbortController();
  try {
    const out = client[method.localName]!(create(method.input, req), { signal: abort.signal, timeoutMs: 60_000 });
    if (method.methodKind === "server_streaming") {
      for await (const _ of out as AsyncIterable<unknown>) break;
    } else {
      await out;
    }
    return "OK" as const;
  } catch (e) {
    return ConnectError.from(e);
  } finally {
    abort.abort();
  }
}

let m: Marketplace;
let w: World;

test.before(async () => {
  // The BFF's per-address limit is lifted: the matrix calls it a few hundred times from one address.
  m = await startMarketplace({ WEB_RATE_PER_SEC: "10000", WEB_RATE_BURST: "100000" });
  const tokens = new Map<string, Promise<Principal>>();
  const service = (name: string) => tokens.get(name) ?? (tokens.set(name, m.service(name)), tokens.get(name)!);
  const ctx = (principal: Principal) => m.ctx(principal, 30_000);
  const [alice, bob] = [await m.signUp("alice"), await m.signUp("bob")];
  // The operator person: signed up like anyone, given the role by the operator tool, then signed in (the role is in that token).
  const signedUpOlivia = await m.signUp("olivia");
  await m.clients.identity.grantOperatorRole(ctx(await service("operator")), { email: signedUpOlivia.email });
  const oliviaTokens = (await m.clients.identity.signIn(m.ctx(), { email: signedUpOlivia.email, password: PASSWORD })).tokens!;
  const olivia = { ...signedUpOlivia, principal: { kind: "customer" as const, id: signedUpOlivia.customerId, roles: ["customer", "operator"], token: oliviaTokens.accessToken } };
  await m.credit(alice.customerId, 50_000n);
  const [offer, second] = (await m.findStays(alice, 2)) as [World["offer"], World["offer"]];
  const confirmed = async (o: World["offer"]) => {
    const { paymentId } = await m.pay(alice, o, CARDS.authorises);
    const r = await m.reservationOf(alice, paymentId, (x) => FINAL_STATES.includes(x.state));
    assert.is(r.state, ReservationState.CONFIRMED, "the setup's booking is confirmed");
    return { paymentId, reservationId: r.reservationId };
  };
  const first = await confirmed(offer);
  const toCancel = await confirmed(second);
  // A paid stay of a seller that does not exist (quoted as search would, with the deployment's secret):
  // sellers fails the reservation and refunds the card.
  const unsellable = { ...offer, quote: undefined, item: create(ItemSchema, { ...offer.item, sellerId: "nobody" }) };
  const failedPayment = (await m.pay(alice, unsellable, CARDS.authorises)).paymentId;
  const failed = await m.reservationOf(alice, failedPayment, (x) => FINAL_STATES.includes(x.state));
  assert.is(failed.state, ReservationState.FAILED, "the unsellable stay's reservation failed");

  if (offer.item.kind.case !== "hotelStay") throw new Error("findStays answered a stay that is not a hotel stay");
  const stay = offer.item.kind.value;
  const catalog = clientOf(CatalogService, grpcTransport(m.system.url("catalog")));
  const hotel = (await catalog.getHotels(ctx(await service("web")), { hotelIds: [stay.hotelId] })).hotels[0]!;
  const inventory = generateInventory({ seed: 42, cities: 3, hotelsPerCity: 5, days: 20, pairs: 3 });
  const r = inventory.routes[0]!;
  const [y, mo, d] = dateOf(dayNumber(utcToday())! + 3).split("-").map(Number) as [number, number, number];
  const route = { origin: r.from, destination: r.to, departureDate: create(DateSchema, { year: y, month: mo, day: d }) };
  const flights = await until(
    "the route's flights in catalog",
    async () => (await catalog.listFlights(ctx(await service("search")), route)).flights[0],
    60_000,
  );
  let n = 0;
  const wallet = clientOf(WalletService, grpcTransport(m.system.url("wallet")));
  w = {
    m,
    alice,
    bob,
    olivia,
    password: PASSWORD,
    offer,
    stay: { hotelId: stay.hotelId, roomId: stay.roomId, checkIn: stay.checkIn!, checkOut: stay.checkOut! },
    paymentId: first.paymentId,
    reservationId: first.reservationId,
    cancelledId: toCancel.reservationId,
    failedId: failed.reservationId,
    hotel,
    flight: flights,
    route,
    catalog,
    service,
    ctx,
    unique: () => `${Date.now().toString(36)}-${++n}-${randomBytes(3).toString("hex")}`,
    async hold() {
      const key = `matrix-hold-${w.unique()}`;
      const res = await wallet.hold(ctx(await service("booking")), { idempotencyKey: key, customerId: alice.customerId, amount: { amountMinor: 1n, currency: "EUR" } });
      return res.hold!.holdId;
    },
  };
});

test.after(async () => {
  await m?.close();
});

test("every RPC of every served contract answers each caller exactly as its callers option says, over Connect and gRPC", async () => {
  const services = (await servicesIn(GEN)).filter((s) => !(s.typeName in NOT_SERVED));
  const processes = new Set(m.system.specs.map((s) => s.name));
  const missing: string[] = [];
  const wrong: string[] = [];
  const tally = new Map<string, number>();
  const retried: string[] = [];
  let rows = 0;
  for (const service of services) {
    const servers = SERVED_BY[service.typeName] ?? [service.typeName.split(".")[1]!];
    for (const process of servers) {
      assert.ok(processes.has(process), `${service.typeName}: no process "${process}" serves it; add it to NOT_SERVED with a reason or to the system`);
    }
    for (const method of service.methods) {
      const key = `${service.typeName}/${method.name}`;
      const callers = callersOf(method);
      if (!callers) {
        wrong.push(`${key}: declares no callers (make lint says so too)`);
        continue;
      }
      const example = EXAMPLES[key];
      if (!example) {
        missing.push(key);
        continue;
      }
      for (const [process, transport] of servers.flatMap((p) => (["connect", "grpc"] as const).map((t) => [p, t] as const))) {
        for (const who of rowsOf(callers, example.owned === true, w, example.allowedGet)) {
          const principal = await who.principal();
          const request = await example.request(w);
          let got = await call(service, method, m.system.url(process), transport, principal, request);
          // An allowed call whose dependency missed its budget on a loaded machine (UNAVAILABLE, DEADLINE_EXCEEDED)
          // says nothing about access: the same request (same idempotency key) is asked again, at most twice.
          for (let again = 0; again < 2 && who.expected === "OK" && got !== "OK" && LATE.has(got.code as number as Code); again++) {
            retried.push(`${key} on ${process} over ${transport} as ${who.label}: ${got.rawMessage}`);
            got = await call(service, method, m.system.url(process), transport, principal, request);
          }
          const code = got === "OK" ? "OK" : (got.code as number as Code);
          rows++;
          const name = code === "OK" ? "OK" : codeName(code);
          tally.set(`${who.expected === "OK" ? "OK" : codeName(who.expected)}`, (tally.get(who.expected === "OK" ? "OK" : codeName(who.expected)) ?? 0) + 1);
          if (code !== who.expected) {
            const detail = got === "OK" ? "" : `: ${got.rawMessage}`;
            wrong.push(`${key} on ${process} over ${transport} as ${who.label}: expected ${who.expected === "OK" ? "OK" : codeName(who.expected)}, got ${name}${detail}`);
          }
        }
      }
    }
  }
  const methods = services.reduce((k, s) => k + s.methods.length, 0);
  console.log(`access matrix: ${rows} rows (${methods} methods of ${services.length} services × rows per caller × Connect and gRPC)`);
  console.log(`  expected: ${[...tally].map(([k, v]) => `${k} ${v}`).join(", ")}; wrong: ${wrong.length}; asked again: ${retried.length}`);
  for (const line of retried) console.log(`  asked again: ${line}`);
  assert.equal(missing, [], `no example request for ${missing.join(", ")}: add one to EXAMPLES in e2e/access-examples.ts (a request its allowed callers get OK for)`);
  assert.equal(wrong, [], wrong.join("\n"));
});

test.run();
