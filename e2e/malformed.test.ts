// The malformed-input sweep over the real processes (scripts/system.ts, as
// `make start` runs them): at least 10,000 seeded hostile requests across
// every port and protocol (each service, health and reflection) — Connect JSON, binary, streaming and GET, gRPC
// over h2c, gRPC-Web, the plain HTTP routes (webhooks, the gateway callback,
// static files, probes, JWKS) and bare TCP — random and truncated bytes,
// lying length prefixes, huge bodies, deep, NUL-laden and invalid-UTF-8
// JSON, broken URLs, gzip bombs, wrong content types. Afterwards: no answer
// was INTERNAL or UNKNOWN (HTTP 500, grpc-status 13 or 2), no process exited
// (the supervisor's exit counts and pids), no row was written in any schema.
// The tally (by protocol, by answer) is printed. SWEEP_SEED and
// SWEEP_REQUESTS replay or enlarge it.
// test-timeout-seconds: 420
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { DescService } from "@bufbuild/protobuf";
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BookingService } from "../gen/itinera/booking/v1/booking_pb.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { MailerService } from "../gen/itinera/mailer/v1/mailer_pb.js";
import { PaymentService } from "../gen/itinera/payment/v1/payment_pb.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { WebService } from "../gen/itinera/web/v1/web_pb.js";
import { callersOf } from "../endpoints/endpoint.js";
import { until } from "../platform/processes.testing.js";
import { untilBusSettled } from "../transport/bus/quiescence.testing.js";
import { AttackGenerator, type Attack } from "./malformed-inputs.js";
import { startMarketplace, type Marketplace } from "./marketplace.fixture.js";

const SEED = Number(process.env.SWEEP_SEED ?? 20261207);
const REQUESTS = Number(process.env.SWEEP_REQUESTS ?? 10_000);
const CONCURRENCY = 24;
const TIMEOUT_MS = 20_000;

/** Every process serving RPCs, with its services and the plain HTTP routes beside them. */
const TARGETS: Record<string, { services: DescService[]; routes: string[] }> = {
  identity: { services: [IdentityService], routes: ["/.well-known/jwks.json"] },
  catalog: { services: [CatalogService], routes: [] },
  pricing: { services: [PricingService], routes: [] },
  wallet: { services: [WalletService], routes: [] },
  search: { services: [SearchService], routes: [] },
  payment: { services: [PaymentService], routes: ["/callbacks/gateway"] },
  booking: { services: [BookingService], routes: [] },
  sellers: { services: [SellersService], routes: ["/webhooks/wanderly", "/webhooks/casa"] },
  mailer: { services: [MailerService], routes: [] },
  web: { services: [WebService], routes: ["/", "/index.html", "/trips", "/assets/index.js", "/favicon.ico"] },
};
const PROBES = ["/healthz", "/readyz", "/metrics"];

let m: Marketplace;
let db: pg.Client;

test.before(async () => {
  m = await startMarketplace();
  db = new pg.Client({ connectionString: m.databaseUrl });
  await db.connect();
});

test.after(async () => {
  await db?.end();
  await m?.close();
});

/** Rows of every table of every service schema. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await db.query<{ s: string; t: string }>(
    `select table_schema as s, table_name as t from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const { s, t } of tables.rows) {
    const r = await db.query<{ n: string }>(`select count(*) as n from "${s}"."${t}"`);
    counts[`${s}.${t}`] = Number(r.rows[0]!.n);
  }
  return counts;
}

/**
 * The counts once the start-up work has settled, known by its facts: every seller's data arrived (the pull
 * sellers' first sync ends with it, wanderly's first push records it), wanderly has no push left to deliver, and
 * every consumer group has handled every event.
 */
async function settledCounts(): Promise<Record<string, number>> {
  await until(
    "every seller's data arrived and no wanderly push left",
    async () => {
      const arrived = new Set((await db.query<{ seller_id: string }>(`select seller_id from sellers.feeds`)).rows.map((r) => r.seller_id));
      const pushes = (await fetch(`${m.system.url("wanderly")}/admin/pushes`).then((r) => r.json())) as { pending: number };
      return ["casa", "skylark", "wanderly"].every((s) => arrived.has(s)) && pushes.pending === 0 ? true : undefined;
    },
    180_000,
  );
  await untilBusSettled(m.databaseUrl);
  return rowCounts();
}

const pids = () => Object.fromEntries(Object.keys(TARGETS).map((name) => [name, m.system.pid(name)]));

test("GET // on payment and POST /webhooks/%ZZ on sellers answer 4xx; both processes stay up", async () => {
  const before = pids();
  const slashes = await rawRequest(m.ports.PAYMENT_PORT, Buffer.from("GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  assert.match(slashes, /^HTTP\/1\.1 4\d\d /, slashes.slice(0, 80));
  const percent = await rawRequest(m.ports.SELLERS_PORT, Buffer.from("POST /webhooks/%ZZ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
  assert.match(percent, /^HTTP\/1\.1 400 /, percent.slice(0, 80));
  assert.equal(pids(), before);
  assert.equal(m.system.exits(), Object.fromEntries(m.system.specs.map((s) => [s.name, 0])));
  for (const port of [m.ports.PAYMENT_PORT, m.ports.SELLERS_PORT]) assert.is((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
});

/**
 * For every RPC, the token of a caller its contract allows (a named service,
 * else a customer), so that a third of the sweep gets past access into
 * decoding and validation, where malformed input does its harm.
 */
async function allowedTokens(): Promise<Map<string, string>> {
  const customer = (await m.signUp("sweep")).principal.token!;
  const tokens = new Map<string, string>();
  for (const service of new Set(Object.values(TARGETS).flatMap((t) => t.services))) {
    for (const method of service.methods) {
      const callers = callersOf(method);
      const name = callers?.services[0];
      const token = name ? (await m.service(name)).token! : callers?.customer ? customer : undefined;
      if (token) tokens.set(`/${service.typeName}/${method.name}`, token);
    }
  }
  return tokens;
}

test(`the malformed-input sweep: ${REQUESTS} seeded hostile requests, nothing INTERNAL, nothing down, nothing written`, async () => {
  // Ingestion must be done, so that the counts only move if a request writes.
  await m.findStays(undefined, 1);
  const tokenOf = await allowedTokens();
  const before = await settledCounts();
  const pidsBefore = pids();
  const gen = new AttackGenerator(SEED);
  const names = Object.keys(TARGETS);
  const port = (name: string) => Number(new URL(m.system.url(name)).port);
  const h2 = new H2Sessions();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const tally = new Map<string, Map<string, number>>();
  const bad: string[] = [];
  /** What the requests the server reset were (a body over the cap is refused before it is all sent). */
  const resets = new Map<string, number>();
  const count = (protocol: string, answer: string, what: string) => {
    if (answer === "reset") {
      const kind = what.split(" ").slice(1, 3).join(" ");
      resets.set(kind, (resets.get(kind) ?? 0) + 1);
    }
    const row = tally.get(protocol) ?? tally.set(protocol, new Map()).get(protocol)!;
    row.set(answer, (row.get(answer) ?? 0) + 1);
    if (/^(internal|unknown|http-500|grpc-13|grpc-2|timeout)$/.test(answer) && bad.length < 20) bad.push(`${answer}: ${what}`);
  };

  let next = 0;
  const started = Date.now();
  const worker = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const name = gen.pick(names);
      const target = TARGETS[name]!;
      const roll = gen.int(100);
      let attack: Attack;
      if (roll < 3) {
        const { kind, bytes } = gen.raw();
        const answer = await rawRequest(port(name), bytes).then(statusOfRaw, () => "reset");
        count("raw", answer, `${name} ${kind}`);
        continue;
      } else if (roll < 20) attack = gen.route([...target.routes, ...PROBES]);
      else attack = gen.rpc(gen.pick([Health, ServerReflection, ...Array<DescService>(10).fill(gen.pick(target.services))]));
      const token = tokenOf.get(attack.path.split("?")[0]!);
      if (attack.protocol !== "http-route" && token && gen.int(3) === 0) attack.headers.authorization = `Bearer ${token}`;
      const what = `${name} ${attack.protocol} ${attack.kind} ${attack.method} ${attack.path.slice(0, 80)}`;
      const failed = (e: unknown) => (e instanceof Error && e.message === "timeout" ? "timeout" : "reset");
      let answer = await (attack.protocol === "grpc" ? grpcCall(h2.of(port(name)), attack) : http1Call(agent, port(name), attack)).catch(failed);
      // A kept-alive connection the server closed after an earlier answer (a body over the cap is not read to its
      // end) resets the next request on it: that request is sent again once, on a connection of its own.
      if (answer === "reset" && attack.protocol !== "grpc") answer = await http1Call(false, port(name), attack).catch(failed);
      count(attack.protocol, answer, what);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - started) / 1000;
  h2.close();
  agent.destroy();

  const table = [...tally].map(([protocol, answers]) => {
    const n = [...answers.values()].reduce((a, b) => a + b, 0);
    return `  ${protocol.padEnd(15)} ${String(n).padStart(6)}  ${[...answers].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(" ")}`;
  });
  console.log(`malformed-input sweep, seed ${SEED}: ${REQUESTS} requests in ${seconds.toFixed(1)} s\n${table.join("\n")}`);
  console.log(`  connections reset, by request: ${[...resets].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(" ")}`);

  assert.equal(bad, [], "no INTERNAL, UNKNOWN, HTTP 500 or unanswered request");
  assert.equal(pids(), pidsBefore, "no process restarted");
  assert.equal(m.system.exits(), Object.fromEntries(m.system.specs.map((s) => [s.name, 0])), "no process exited");
  for (const name of names) assert.is((await fetch(`${m.system.url(name)}/readyz`)).status, 200, `${name} is ready`);
  await untilBusSettled(m.databaseUrl); // whatever a request published has been handled too
  const after = await rowCounts();
  const written = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k]} → ${after[k]}`);
  assert.equal(written, [], "no row written");
  const total = [...tally.values()].flatMap((a) => [...a.values()]).reduce((a, b) => a + b, 0);
  assert.is(total, REQUESTS);
});

/** HTTP/1.1 on a keep-alive connection: the answer as a code name. */
function http1Call(agent: http.Agent | false, port: number, a: Attack): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...a.headers };
    if (a.protocol === "grpc-web") headers["content-type"] = "application/grpc-web+proto";
    const req = http.request({ host: "127.0.0.1", port, method: a.method, path: a.path, headers, agent, timeout: TIMEOUT_MS });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => {
        chunks.push(c);
        if (res.statusCode === 200 && a.path.endsWith("/Watch")) {
          resolve("streaming"); // health Watch streams until the client leaves
          req.destroy();
        }
      });
      res.on("error", reject);
      res.on("end", () => resolve(answerOf(a, res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
    });
    req.end(a.body && a.method !== "GET" && a.method !== "HEAD" ? a.body : undefined);
  });
}

function answerOf(a: Attack, status: number, headers: http.IncomingHttpHeaders, body: Buffer): string {
  if (a.protocol === "grpc-web") {
    if (headers["grpc-status"] !== undefined) return `grpc-${String(headers["grpc-status"])}`;
    const m = /grpc-status:\s*(\d+)/.exec(body.toString("latin1"));
    return m ? `grpc-${m[1]}` : `http-${status}`;
  }
  if (a.protocol === "connect-stream" && status === 200) {
    const m = /"code"\s*:\s*"([a-z_]+)"/.exec(body.toString("latin1"));
    return m ? m[1]! : "ok";
  }
  if (a.protocol === "http-route" || a.protocol === "raw") return `http-${status}`;
  if (status === 200) return "ok";
  const m = /^\s*\{.*"code"\s*:\s*"([a-z_]+)"/s.exec(body.toString("utf8"));
  return m ? m[1]! : `http-${status}`;
}

/** One h2c session per port, renewed when the server closes it (GOAWAY after a protocol error). */
class H2Sessions {
  private readonly sessions = new Map<number, http2.ClientHttp2Session>();
  of(port: number): http2.ClientHttp2Session {
    const s = this.sessions.get(port);
    if (s && !s.closed && !s.destroyed) return s;
    const fresh = http2.connect(`http://127.0.0.1:${port}`);
    fresh.on("error", () => {});
    this.sessions.set(port, fresh);
    return fresh;
  }
  close() {
    for (const s of this.sessions.values()) s.destroy();
  }
}

function grpcCall(session: http2.ClientHttp2Session, a: Attack): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": a.path, "content-type": "application/grpc+proto", te: "trailers", ...a.headers });
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error("timeout"));
    }, TIMEOUT_MS);
    let answer: string | undefined;
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) answer = `grpc-${String(h["grpc-status"])}`;
      else if (h[":status"] !== undefined && Number(h[":status"]) !== 200) answer = `http-${String(h[":status"])}`;
    };
    stream.on("response", take);
    stream.on("trailers", take);
    stream.on("data", () => {
      if (a.path.endsWith("/Watch") && answer === undefined) {
        answer = "streaming"; // health Watch streams until the client leaves
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    stream.on("close", () => {
      clearTimeout(timer);
      if (answer) resolve(answer);
      else reject(new Error(`stream closed with code ${stream.rstCode}`));
    });
    stream.on("error", () => {});
    stream.end(a.body);
  });
}

/** Writes bytes on a fresh TCP connection, half-closes it, and reads the whole answer. */
function rawRequest(port: number, bytes: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(bytes));
    let out = "";
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error("timeout")));
    socket.on("data", (d: Buffer) => (out += d.toString("latin1")));
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
  });
}

function statusOfRaw(answer: string): string {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  if (m) return `http-${m[1]}`;
  return answer.length === 0 ? "closed" : "h2-or-other";
}

test.run();
