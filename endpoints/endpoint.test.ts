import { test } from "uvu";
import * as assert from "uvu/assert";
import { callersOf, chain, methodInfo, observeStream, type Endpoint, type Middleware } from "./endpoint.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { BookingService } from "../gen/itinera/booking/v1/booking_pb.js";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { silentContext } from "./testing.js";

const ctx = silentContext();

test("chain: the first middleware is the outermost", async () => {
  const seen: string[] = [];
  const tag =
    (name: string): Middleware =>
    (next) =>
    async (c, req) => {
      seen.push(`>${name}`);
      const out = await next(c, req);
      seen.push(`<${name}`);
      return out;
    };
  const base: Endpoint = async (_c, req) => {
    seen.push("handler");
    return req;
  };
  const ep = chain(tag("a"), tag("b"), tag("c"))(base, methodInfo(EchoService.method.echo, "server"));
  assert.is(await ep(ctx, 42), 42);
  assert.equal(seen, [">a", ">b", ">c", "handler", "<c", "<b", "<a"]);
});

test("methodInfo reads idempotency and the timeout option from the descriptor", () => {
  const echo = methodInfo(EchoService.method.echo, "server");
  assert.is(echo.procedure, "/itinera.echo.v1.EchoService/Echo");
  assert.is(echo.idempotent, true);
  assert.is(echo.timeoutMs, 0);
  assert.is(methodInfo(EchoService.method.increment, "client").idempotent, false);
  assert.is(methodInfo(EchoService.method.slow, "server").timeoutMs, 200);
  assert.is(methodInfo(EchoService.method.countdown, "server").kind, "server_streaming");
  assert.is(methodInfo(WalletService.method.hold, "client").idempotent, true);
});

test("methodInfo reads who may call from the callers option, the same on both sides", () => {
  const callers = (m: Parameters<typeof methodInfo>[0]) => {
    const [server, client] = [methodInfo(m, "server").callers, methodInfo(m, "client").callers];
    assert.equal(server, client);
    return server;
  };
  assert.equal(callers(EchoService.method.echo), { anyone: true, customer: false, services: [], operator: false });
  assert.equal(callers(IdentityService.method.getCustomer), { anyone: false, customer: false, services: ["web", "mailer"], operator: false });
  assert.equal(callers(BookingService.method.createReservation), { anyone: false, customer: false, services: ["payment"], operator: false });
  assert.equal(callers(BookingService.method.listReservations), { anyone: false, customer: true, services: [], operator: false });
});

test("a method whose contract declares no callers has none: undefined, never a default", () => {
  const undeclared = { ...EchoService.method.echo, proto: { ...EchoService.method.echo.proto, options: undefined } };
  assert.is(callersOf(undeclared as typeof EchoService.method.echo), undefined);
});

test("observeStream reports the end once, with the error of a failed stream", async () => {
  const ends: unknown[] = [];
  async function* failing() {
    yield 1;
    throw new Error("boom");
  }
  const got: number[] = [];
  try {
    for await (const n of observeStream(failing(), (e) => ends.push(e))) got.push(n);
    assert.unreachable("the stream should have thrown");
  } catch (e) {
    assert.is((e as Error).message, "boom");
  }
  assert.equal(got, [1]);
  assert.is(ends.length, 1);
  assert.is((ends[0] as Error).message, "boom");
});

test.run();
