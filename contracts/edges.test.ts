// A contract on every edge: the edges the services (and the web app) are wired
// with, derived from their code (edges.ts: each method a client is called with, identity
// access's JWK set and service token, each subscription to another service's
// events), each need an interaction in a committed pact; each method's
// contract must admit its consumer as a caller; every committed pact is
// produced by a consumer test that compares it (settle()), and every pact a
// consumer test produces is committed (pact-files.ts). The derivation runs
// on a fixture source tree too, so that an edge without a pact is seen to fail.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { coverage, describeEdge, undeclaredCallers, wiredEdges, type Edge } from "./edges.js";
import { pactFileProblems } from "./pact-files.js";
import { PACTS_DIR } from "./pact.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONSUMERS_DIR = fileURLToPath(new URL("./consumers/", import.meta.url));
let scratch: string;

test.before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "edges-"));
});
test.after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Writes `files` (path → content) under `dir`. */
async function tree(dir: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

test("every edge the services are wired with has a pact (server streams apart: Pact cannot describe them)", async () => {
  const edges = await wiredEdges(ROOT);
  const c = coverage(edges, PACTS_DIR);
  console.log(
    `contract edges: ${c.edges.length} wired, ${c.pacted.length} with a pact, ${c.streams.length} server streams without one ` +
      `(${c.streams.map(describeEdge).join("; ")}), ${c.missing.length} missing`,
  );
  assert.equal(c.missing.map((m) => `${describeEdge(m.edge)}: ${m.why}`), [], "edges without a pact");
  // The derivation sees the edges it must: a sanity floor on each kind, and the two identity edges of every service.
  const kinds = (k: Edge["kind"]) => edges.filter((e) => e.kind === k).length;
  assert.ok(kinds("rpc") >= 45 && kinds("event") >= 4 && kinds("jwks") >= 9, `rpc ${kinds("rpc")}, event ${kinds("event")}, jwks ${kinds("jwks")}`);
  const identity = (what: string) => edges.filter((e) => e.provider === "identity" && e.what === what).map((e) => e.consumer);
  assert.equal(identity("/.well-known/jwks.json"), ["booking", "catalog", "mailer", "payment", "pricing", "search", "sellers", "wallet", "web"]);
  assert.equal(identity("/itinera.identity.v1.IdentityService/IssueServiceToken"), ["booking", "mailer", "payment", "pricing", "search", "sellers", "web"]);
  assert.ok(edges.some((e) => e.consumer === "mailer" && e.provider === "identity-events" && e.what === "identity.accounts"));
  assert.ok(edges.some((e) => e.consumer === "webapp" && e.provider === "web" && e.what === "/itinera.web.v1.WebService/GetSession"), "the web app's calls");
  assert.not.ok(edges.some((e) => e.consumer === "booking" && e.provider === "booking-events"), "a service's own events are no edge");
});

test("every wired method's contract admits its consumer as a caller", async () => {
  const edges = await wiredEdges(ROOT);
  assert.equal(await undeclaredCallers(edges, ROOT), []);
  const stranger: Edge = { consumer: "catalog", provider: "wallet", kind: "rpc", what: "/itinera.wallet.v1.WalletService/Credit", where: "services/catalog/main.ts" };
  assert.equal(await undeclaredCallers([stranger], ROOT), [
    `${describeEdge(stranger)}: Credit's (itinera.options.v1.callers) does not admit catalog`,
  ]);
});

test("an edge wired without a pact fails, named: a fixture source tree, and an edge injected beside the real ones", async () => {
  const root = join(scratch, "repo");
  await tree(root, {
    "services/alpha/main.ts": [
      `import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";`,
      `import { clientOf, grpcTransport } from "../../transport/client.js";`,
      `// clientOf(CatalogService, …) in a comment is no edge`,
      `const wallet = clientOf(WalletService, grpcTransport("http://127.0.0.1:1"));`,
      `export const balance = () => wallet.getBalance(ctx, { customerId: "c-1" });`,
      `import { AccountEventSchema } from "../../gen/itinera/identity/v1/events_pb.js";`,
      `await bus.subscribe({ topic: topicOf(AccountEventSchema), group: "alpha", handler });`,
    ].join("\n"),
    "services/alpha/main.test.ts": `const w = clientOf(WalletService, t); w.credit(ctx, {});\n`,
    // a service consuming its own events is no edge
    "services/identity/events.ts": [
      `import { AccountEventSchema } from "../../gen/itinera/identity/v1/events_pb.js";`,
      `await bus.subscribe({ topic: topicOf(AccountEventSchema), group: "identity-self", handler });`,
    ].join("\n"),
  });
  await symlink(join(ROOT, "gen"), join(root, "gen"));
  const edges = await wiredEdges(root);
  assert.equal(edges.map(describeEdge), [
    "alpha → identity-events topic identity.accounts (services/alpha/main.ts)",
    "alpha → wallet /itinera.wallet.v1.WalletService/GetBalance (services/alpha/main.ts)",
  ]);

  const pacts = join(scratch, "pacts");
  await mkdir(pacts);
  assert.equal(coverage(edges, pacts).missing.map((m) => m.why), [
    "no pact: alpha-identity-events.json does not exist",
    "no pact: alpha-wallet.json does not exist",
  ]);
  // A pact of the pair that does not call the method does not cover it.
  const pactOf = (interactions: unknown[]) => JSON.stringify({ consumer: { name: "alpha" }, provider: { name: "wallet" }, interactions });
  await writeFile(join(pacts, "alpha-wallet.json"), pactOf([{ request: { method: "POST", path: "/itinera.wallet.v1.WalletService/Credit" } }]));
  assert.equal(coverage(edges, pacts).missing.map((m) => m.why)[1], "no interaction in alpha-wallet.json calls /itinera.wallet.v1.WalletService/GetBalance");
  await writeFile(join(pacts, "alpha-wallet.json"), pactOf([{ request: { method: "POST", path: "/itinera.wallet.v1.WalletService/GetBalance" } }]));
  assert.equal(coverage(edges, pacts).pacted.map(describeEdge), ["alpha → wallet /itinera.wallet.v1.WalletService/GetBalance (services/alpha/main.ts)"]);

  // Beside the real edges and pacts, one more edge is reported, alone.
  const extra: Edge = { consumer: "search", provider: "booking", kind: "rpc", what: "/itinera.booking.v1.BookingService/GetReservation", where: "services/search/main.ts" };
  const real = await wiredEdges(ROOT);
  assert.equal(coverage([...real, extra], PACTS_DIR).missing.map((m) => `${describeEdge(m.edge)}: ${m.why}`), [
    "search → booking /itinera.booking.v1.BookingService/GetReservation (services/search/main.ts): no pact: search-booking.json does not exist",
  ]);
});

test("a subscription naming its topic by hand, or to a message that declares none, is refused, named", async () => {
  const wired = async (name: string, subscription: string) => {
    const root = join(scratch, name);
    await tree(root, {
      "services/gamma/main.ts": [
        `import { AccountEventSchema } from "../../gen/itinera/identity/v1/events_pb.js";`,
        `import { EchoRequestSchema } from "../../gen/itinera/echo/v1/echo_pb.js";`,
        subscription,
      ].join("\n"),
    });
    await symlink(join(ROOT, "gen"), join(root, "gen"));
    return wiredEdges(root).then(
      () => "wired",
      (e: unknown) => (e as Error).message,
    );
  };
  assert.is(
    await wired("by-hand", `await bus.subscribe({ topic: { name: "identity.accounts", schema: AccountEventSchema }, group: "gamma", handler });`),
    "services/gamma/main.ts: subscribe with bus.subscribe({ topic: topicOf(TheEventSchema), … }), the topic the event message declares",
  );
  assert.match(await wired("no-topic", `await bus.subscribe({ topic: topicOf(EchoRequestSchema), group: "gamma", handler });`), /itinera\.echo\.v1\.EchoRequest is not an event: it declares no bus topic/);
});

test("every committed pact is produced by a consumer test that settles it, and every pact produced is committed", () => {
  assert.equal(pactFileProblems(CONSUMERS_DIR, PACTS_DIR), []);
});

test("pact files: an orphan, a consumer test without settle(), an uncommitted pact and a dynamic name each fail, named", async () => {
  const [consumers, pacts] = [join(scratch, "consumers"), join(scratch, "committed")];
  const pact = (consumer: string, provider: string) => JSON.stringify({ consumer: { name: consumer }, provider: { name: provider }, interactions: [] });
  await tree(consumers, {
    "a-b.pact.test.ts": `const pact = await consumerPact("a", "b");\ntest("the pact is the committed one", () => pact.settle());\n`,
    "c-d.pact.test.ts": `const pact = await consumerPact("c", "d");\n// pact.settle() only in a comment\n`,
    "e-f-events.pact.test.ts": `const pact = await messagePact("e", "f-events");\ntest("settled", () => pact.settle());\n`,
    "dynamic.pact.test.ts": `const pact = await consumerPact(name, "g");\npact.settle();\n`,
    "calls.ts": `consumerPact("h", "i");\n`,
  });
  await tree(pacts, { "a-b.json": pact("a", "b"), "c-d.json": pact("c", "d"), "old-b.json": pact("old", "b"), "x-y.json": pact("y", "x") });
  assert.equal(pactFileProblems(consumers, pacts), [
    `c-d.pact.test.ts produces c-d.json but calls settle() 0 time(s): end with a test that settles each pact, or it is never compared with contracts/pacts/`,
    `dynamic.pact.test.ts: name the pact with string literals, consumerPact("<consumer>", "<provider>"): (not literal: name, "g")`,
    "old-b.json is committed but no consumer test produces it: an orphan never compared again — delete it, or restore its consumer test",
    "x-y.json is committed but no consumer test produces it: an orphan never compared again — delete it, or restore its consumer test",
    "x-y.json names y → x: its file name must be <consumer>-<provider>.json",
    "e-f-events.pact.test.ts produces e-f-events.json, which is not committed: run it with PACT_UPDATE=1 and commit contracts/pacts/e-f-events.json",
  ]);
});

test.run();
