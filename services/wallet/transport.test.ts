// The wallet over the wire, wired exactly as main.ts wires it (serverStack,
// serveService, startServer on one port), on its own PostgreSQL database, and
// called through every kind of client: clientOf over Connect (binary, JSON,
// HTTP/2), gRPC and gRPC-Web, a plain @grpc/grpc-js client and a plain fetch
// of JSON, each sending a service's bearer token (testTokens stands in for
// identity). Each kind gets the same checks: amounts, idempotent replays, and
// errors with their codes and field violations, writing nothing. Money moves
// only with a service token: no token and a customer's are refused.
import { fromBinary, fromJson, type JsonObject } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Transport } from "@connectrpc/connect";
import { Metadata, type ServiceError } from "@grpc/grpc-js";
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Context, type Principal } from "../../endpoints/context.js";
import { Code, codeName, KitError } from "../../endpoints/errors.js";
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { BadRequestSchema } from "../../gen/itinera/type/v1/errors_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { clientOf, connectTransport, grpcTransport, grpcWebTransport } from "../../transport/client.js";
import { grpcJsClient, grpcStatus } from "../../transport/grpc-js.fixture.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import { TEST_PAGE_TOKEN_SECRET, walletFixture, type WalletFixture } from "./fixture.js";
import { failure } from "./fixture.js";
import { walletService } from "./service.js";
import { WalletStore } from "./store.js";
import { walletValidators } from "./validators.js";

const log = pino({ level: "silent" });
const registry = new Registry();
let w: WalletFixture;
let tracing: Tracing;
let server: RunningServer;
let auth: TestTokens;
/** Who calls in the tests below: services, as in production — booking moves money, search reads balances. */
let booking: Principal;
let search: Principal;
const serviceFor = (method: Method): Principal => (method === "GetBalance" ? search : booking);

test.before(async () => {
  w = await walletFixture();
  auth = await testTokens();
  booking = await auth.service("booking");
  search = await auth.service("search");
  tracing = createTracing({ serviceName: "wallet" });
  const endpoints = endpointsOf(
    WalletService,
    walletService({ store: new WalletStore(w.database.knex), pageTokenSecret: TEST_PAGE_TOKEN_SECRET }),
    ...serverStack({ registry, tracer: tracing.tracer, validators: walletValidators() }),
  );
  server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, WalletService, endpoints, { log, authenticate: auth.authenticate }),
    ready: w.database.ready,
    metrics: registry,
  });
});
test.after(async () => {
  await server?.close(5_000);
  await tracing?.shutdown();
  await w?.close();
});

type Method = "GetBalance" | "Credit" | "Hold" | "Capture";
type Json = Record<string, unknown>;
/** A call's result, whatever the client: the response, or the code and the fields its BadRequest named. */
type Outcome = { res: Json } | { code: number; fields: string[] };

interface WalletCaller {
  /** How int64 fields arrive: bigint in protobuf-es messages, decimal strings in grpc-js objects and JSON. */
  int64: "bigint" | "string";
  /** Calls `method` with a request in proto JSON form (lowerCamel names, int64 as strings, enum names). */
  call(method: Method, req: JsonObject): Promise<Outcome>;
  close(): void;
}

/** `principal` null: no token at all; undefined: the service that calls the method in production. */
function viaClientOf(transport: Transport, principal?: Principal | null): WalletCaller {
  const wallet = clientOf(WalletService, transport) as unknown as Record<string, (ctx: Context, req: unknown) => Promise<Json>>;
  return {
    int64: "bigint",
    async call(method, req) {
      const ctx = backgroundContext({ log, principal: (principal === undefined ? serviceFor(method) : principal) ?? undefined });
      const desc = WalletService.methods.find((m) => m.name === method)!;
      try {
        return { res: await wallet[desc.localName]!(ctx, fromJson(desc.input, req)) };
      } catch (e) {
        if (!(e instanceof KitError)) throw e;
        return { code: e.code, fields: e.violations.map((v) => v.field) };
      }
    },
    close: () => {},
  };
}

function viaGrpcJs(port: number): WalletCaller {
  const client = grpcJsClient("itinera/wallet/v1/wallet.proto", "itinera.wallet.v1.WalletService", `127.0.0.1:${port}`);
  const metadataFor = (method: Method) => {
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${serviceFor(method).token}`);
    return metadata;
  };
  return {
    int64: "string",
    call: (method, req) =>
      client.unary(method, req, metadataFor(method)).then(
        (res) => ({ res }),
        (e: ServiceError) => ({ code: e.code, fields: statusViolations(e.metadata.get("grpc-status-details-bin")[0]) }),
      ),
    close: () => client.close(),
  };
}

/** The fields of the BadRequest inside the google.rpc.Status trailer. */
function statusViolations(bin: unknown): string[] {
  if (!(bin instanceof Buffer)) return [];
  return grpcStatus(bin).details.flatMap((d) => anyUnpack(d, BadRequestSchema)?.fieldViolations.map((v) => v.field) ?? []);
}

function viaFetch(url: string, principal?: Principal | null): WalletCaller {
  return {
    int64: "string",
    async call(method, req) {
      const who = principal === undefined ? serviceFor(method) : principal;
      const authorization: Record<string, string> = who ? { authorization: `Bearer ${who.token}` } : {};
      const res = await fetch(`${url}/itinera.wallet.v1.WalletService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...authorization },
        body: JSON.stringify(req),
      });
      const body = (await res.json()) as Json;
      if (res.ok) return { res: body };
      // A Connect error: {"code":"invalid_argument","message":…,"details":[{"type":…,"value":<base64>,"debug":{…}}]}
      const details = (body.details ?? []) as { type: string; value: string; debug?: { fieldViolations?: { field: string }[] } }[];
      const bad = details.filter((d) => d.type === BadRequestSchema.typeName);
      const decoded = bad.flatMap((d) => fromBinary(BadRequestSchema, base64Decode(d.value)).fieldViolations.map((v) => v.field));
      assert.equal(bad.flatMap((d) => d.debug?.fieldViolations?.map((v) => v.field) ?? []), decoded, "debug matches the bytes");
      return { code: codeFromConnect(String(body.code)), fields: decoded };
    },
    close: () => {},
  };
}

/** "invalid_argument" → 3. */
function codeFromConnect(name: string): number {
  const code = Object.values(Code).find((c) => typeof c === "number" && codeName(c).toLowerCase() === name);
  assert.type(code, "number", `a Connect code name: ${name}`);
  return code as number;
}

const callers: Record<string, () => WalletCaller> = {
  "clientOf, Connect binary over HTTP/1.1": () => viaClientOf(connectTransport(server.url, { binary: true })),
  "clientOf, Connect JSON over HTTP/1.1": () => viaClientOf(connectTransport(server.url, { binary: false })),
  "clientOf, Connect binary over HTTP/2": () => viaClientOf(connectTransport(server.url, { http2: true })),
  "clientOf, gRPC over h2c": () => viaClientOf(grpcTransport(server.url)),
  "clientOf, gRPC-Web": () => viaClientOf(grpcWebTransport(server.url)),
  "plain @grpc/grpc-js": () => viaGrpcJs(server.port),
  "plain fetch of JSON": () => viaFetch(server.url),
};

/** The value at a dotted path of a response. */
const at = (res: Json, path: string): unknown => path.split(".").reduce<unknown>((node, key) => (node as Json | undefined)?.[key], res);

let customers = 0;
for (const [name, connect] of Object.entries(callers)) {
  const customerId = `customer-${++customers}`;
  test(`${name}: credit, balance, replays, and errors that write nothing`, async () => {
    const wallet = connect();
    try {
      const ok = async (method: Method, req: JsonObject) => {
        const out = await wallet.call(method, req);
        if ("res" in out) return out.res;
        throw new Error(`${method} failed with code ${out.code}: ${out.fields.join(", ")}`);
      };
      const failing = async (method: Method, req: JsonObject) => {
        const out = await wallet.call(method, req);
        if ("res" in out) throw new Error(`${method} should have failed`);
        return out;
      };
      /** An int64 as the client delivers it, checked for its type, as a decimal string. */
      const int64 = (res: Json, path: string) => {
        const value = at(res, path);
        assert.is(typeof value, wallet.int64, `${path} arrives as a ${wallet.int64}`);
        return String(value);
      };
      const eur = (amountMinor: string) => ({ amountMinor, currency: "EUR" });
      const credit = { idempotencyKey: `${customerId}-credit`, customerId, amount: eur("5000"), reason: "CREDIT_REASON_CASHBACK", reference: "booking-7" };

      const first = await ok("Credit", credit);
      assert.is(int64(first, "transaction.availableAfter.amountMinor"), "5000");
      assert.is(int64(first, "balance.available.amountMinor"), "5000");
      assert.is(at(first, "balance.customerId"), customerId);
      assert.equal(await ok("Credit", credit), first, "the same key and request: the first answer again");
      assert.is(int64(await ok("GetBalance", { customerId, currency: "EUR" }), "balance.available.amountMinor"), "5000", "credited once");

      const before = await w.counts();
      assert.is((await failing("Credit", { ...credit, amount: eur("6000") })).code, Code.AlreadyExists, "the same key, another request");
      const invalid = await failing("Hold", { idempotencyKey: "", customerId, amount: { amountMinor: "0", currency: "EUX" } });
      assert.equal(invalid, { code: Code.InvalidArgument, fields: ["idempotency_key", "amount.amount_minor", "amount.currency"] });
      const unknownHold = { idempotencyKey: `${customerId}-capture`, holdId: "00000000-0000-4000-8000-000000000000" };
      assert.is((await failing("Capture", unknownHold)).code, Code.NotFound);
      const tooMuch = { idempotencyKey: `${customerId}-hold`, customerId, amount: eur("5001") };
      assert.is((await failing("Hold", tooMuch)).code, Code.FailedPrecondition);
      assert.equal(await w.counts(), before, "no failed call wrote a row");
    } finally {
      wallet.close();
    }
  });
}

test("money moves only with a named service's token: none → Unauthenticated, a customer's or search's → PermissionDenied; a customer reads only their own balance", async () => {
  const customer = await auth.customer("customer-auth");
  const eur = (amountMinor: string) => ({ amountMinor, currency: "EUR" });
  const credit = { idempotencyKey: "auth-credit", customerId: "customer-auth", amount: eur("100"), reason: "CREDIT_REASON_PROMOTION" };
  const hold = { idempotencyKey: "auth-hold", customerId: "customer-auth", amount: eur("100") };
  const settle = { idempotencyKey: "auth-settle", holdId: "00000000-0000-4000-8000-000000000000" };
  const before = await w.counts();
  const balanceOf = (customerId: string) => ({ customerId, currency: "EUR" });
  for (const [who, expected] of [
    [null, Code.Unauthenticated],
    [customer, Code.PermissionDenied],
    [search, Code.PermissionDenied],
  ] as const) {
    for (const wallet of [viaClientOf(grpcTransport(server.url), who), viaFetch(server.url, who)]) {
      for (const [method, req] of [["Credit", credit], ["Hold", hold], ["Capture", settle]] as const) {
        assert.equal(await wallet.call(method, req), { code: expected, fields: [] }, `${method} as ${who?.id ?? "nobody"}`);
      }
    }
  }
  for (const wallet of [viaClientOf(grpcTransport(server.url), customer), viaFetch(server.url, customer)]) {
    assert.ok("res" in (await wallet.call("GetBalance", balanceOf("customer-auth"))), "a customer reads their own balance");
    assert.equal(await wallet.call("GetBalance", balanceOf("customer-1")), { code: Code.NotFound, fields: [] }, "and not another's");
  }
  assert.equal(await viaFetch(server.url, null).call("GetBalance", balanceOf("customer-auth")), { code: Code.Unauthenticated, fields: [] });
  assert.equal(await viaFetch(server.url, booking).call("GetBalance", balanceOf("customer-auth")), { code: Code.PermissionDenied, fields: [] });
  const release = backgroundContext({ log, principal: customer });
  const e = await failure(clientOf(WalletService, grpcTransport(server.url)).release(release, { idempotencyKey: "auth-release", holdId: settle.holdId }));
  assert.is(e.code, Code.PermissionDenied);
  assert.is(e.message, "Release may be called by the service booking, not by a customer");

  const stranger = viaClientOf(grpcTransport(server.url), { ...booking, token: await auth.foreignToken("booking") });
  assert.equal(await stranger.call("Credit", credit), { code: Code.Unauthenticated, fields: [] }, "a token identity did not sign");
  assert.equal(await w.counts(), before, "no refused call wrote a row");
});

test("/metrics on the same port counts the failures by code, and /readyz is 200", async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const invalidHolds = text
    .split("\n")
    .filter((l) => l.startsWith("rpc_requests_total{") && l.includes('service="itinera.wallet.v1.WalletService"'))
    .filter((l) => l.includes('side="server"') && l.includes('method="Hold"') && l.includes('code="INVALID_ARGUMENT"'));
  assert.is(invalidHolds.length, 1, text);
  assert.is(Number(invalidHolds[0]!.split(" ").pop()), Object.keys(callers).length, "one invalid Hold per client kind");
  const ready = await fetch(`${server.url}/readyz`);
  assert.is(ready.status, 200);
  assert.is((await ready.text()).trim(), "ready");
});

test.run();
