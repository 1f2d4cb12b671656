// `make bench-web`: the BFF's p99 for a hotel search at 100 requests/s (issues 5, 10).
// 1. Starts the whole system as separate processes (scripts/system.ts) on a
//    fresh embedded PostgreSQL (.data/bench-web-pg, port 54348; kept with
//    BENCH_REUSE) and ports of its own (172xx/173xx, so it can run beside
//    bench-search), waits for the ingestion of the demo inventory and for
//    the services to go idle.
// 2. Offers StreamHotels to the web process (the BFF) the way the browser
//    calls it — Connect, JSON, HTTP/1.1 (bench/web-client.ts) — at 50 and
//    100 requests/s (BENCH_RATES; bench/load.ts, constant arrival rate) for
//    BENCH_SECONDS (20) each, in both mixes of stays (bench/stays.ts:
//    uniform and zipf; BENCH_MIXES): first as a visitor, then signed in (SignUp through the BFF,
//    its cookies and CSRF header on every call, a wallet balance so search
//    fetches the markdown). Each phase: latency to the first message and to
//    the stream's end, errors by code, CPU milliseconds per search and cores
//    of each process (bench/cpu.ts), the machine's too — the whole system,
//    PostgreSQL and this load generator share one machine (2 cores here) —
//    and search's cache hit ratio.
// Every caller is 127.0.0.1, one customer: the BFF's per-address and
// per-customer limit (2/s, burst 10 by default) is raised for the benchmark.
import { rm } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { CreditReason, WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import type { StreamHotelsRequestSchema } from "../gen/itinera/web/v1/web_pb.js";
import { developmentServiceSecret } from "../services/identity/service-tokens.js";
import { startSystem, type RunningSystem } from "../scripts/system.js";
import { fixedRate, percentile, summary } from "./load.js";
import { cacheLine, cacheLookups, cpuLines, cpuParts, cpuSeconds, postmasterPid, snapshot } from "./cpu.js";
import { browserClient, StreamTally, type WebClient } from "./web-client.js";
import { ingestionDone, OPERATOR, signUpLink } from "../scripts/demo.js";
import { MIXES, stays, type Mix } from "./stays.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PG_PORT = 54348;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 4);
const COOL_DOWN_MS = 15_000;
const RATES = (process.env.BENCH_RATES ?? "50,100").split(",").map(Number);
const MIX_LIST = (process.env.BENCH_MIXES?.split(",") ?? MIXES) as Mix[];
const RATE_LIMIT = { perSecond: "10000", burst: "100000" };
const say = (line: string) => process.stdout.write(`${line}\n`);
const CORES = availableParallelism();
const load = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} on ${CORES} cores`;

/** Hotel searches of one mix of stays (bench/stays.ts). */
function searches(mix: Mix, seed = 54321): () => MessageInitShape<typeof StreamHotelsRequestSchema> {
  const stay = stays(seed, mix);
  return () => {
    const { city, checkIn, checkOut } = stay();
    return { query: city, checkIn, checkOut };
  };
}

const WEB_ADMIN_PORT = "17281";
/** Where a process serves /metrics: its port, or for the BFF its admin port. */
const metricsUrl = (system: RunningSystem, name: string) => (name === "web" ? `http://127.0.0.1:${WEB_ADMIN_PORT}` : system.url(name));

/**
 * Waits until the read side is idle (the sellers' push feed and pricing's
 * post-ingestion work done): catalog, pricing, search, sellers and web using
 * under a tenth of a core together over 5 s, at most 3 minutes.
 */
async function quiet(system: RunningSystem) {
  const names = ["catalog", "pricing", "search", "sellers", "web"];
  const total = async () => (await Promise.all(names.map((n) => cpuSeconds(metricsUrl(system, n))))).reduce((a, b) => a + b, 0);
  const since = Date.now();
  let before = await total();
  for (;;) {
    await new Promise((r) => setTimeout(r, 5000));
    const now = await total();
    const cores = (now - before) / 5;
    before = now;
    if (cores < 0.1 || Date.now() - since > 180_000) {
      say(`quiet after ${((Date.now() - since) / 1000).toFixed(0)} s more (the services using ${cores.toFixed(2)} cores; ${load()})`);
      return;
    }
  }
}

async function main() {
  if (!process.env.BENCH_REUSE) await rm(join(ROOT, ".data", "bench-web-pg"), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: "warn",
    SKYLARK_PORT: "17301",
    CASA_PORT: "17302",
    WANDERLY_PORT: "17303",
    GATEWAY_PORT: "17310",
    SMTP_PORT: "17325",
    SMTP_VIEW_PORT: "17326",
    IDENTITY_PORT: "17201",
    CATALOG_PORT: "17202",
    PRICING_PORT: "17203",
    WALLET_PORT: "17204",
    SEARCH_PORT: "17205",
    PAYMENT_PORT: "17206",
    BOOKING_PORT: "17207",
    SELLERS_PORT: "17208",
    MAILER_PORT: "17209",
    WEB_PORT: "17280",
    // The BFF's /metrics is on its admin port only (the public port has none).
    WEB_ADMIN_PORT: WEB_ADMIN_PORT,
    WEB_RATE_PER_SEC: RATE_LIMIT.perSecond,
    WEB_RATE_BURST: RATE_LIMIT.burst,
  };
  delete env.DATABASE_URL;
  say(`${load()} before start`);
  const started = Date.now();
  const system = await startSystem({ env, dataDir: join(ROOT, ".data", "bench-web-pg"), pgPort: PG_PORT, say, stdio: "ignore" });
  try {
    say(`system ready in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for the first ingestion of the demo inventory`);
    if (!(await ingestionDone({ sellersUrl: system.url("sellers"), identityUrl: system.url("identity"), env, since: started, signal: new AbortController().signal, timeoutMs: 600_000 }))) {
      throw new Error("the demo inventory was not ingested within 10 minutes");
    }
    say(`ingestion of the demo inventory: ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
    await quiet(system);
    say(`the BFF's rate limit raised for the benchmark: WEB_RATE_PER_SEC=${RATE_LIMIT.perSecond} WEB_RATE_BURST=${RATE_LIMIT.burst} (default 2/s, burst 10)`);

    const visitor = browserClient(system.url("web")).client;
    await round(system, "visitor", visitor);

    const { client: signedIn } = await signUp(system, env);
    await round(system, "signed in", signedIn);
  } finally {
    await system.stop();
  }
}

/** A customer signed up through the BFF, as the sign-up page and the e-mailed link do, with money on the wallet so results carry a markdown. */
async function signUp(system: RunningSystem, env: NodeJS.ProcessEnv) {
  const browser = browserClient(system.url("web"));
  await browser.client.getSession({}); // the page's first call: the CSRF cookie
  const email = `bench-web-${Date.now()}@itinera.example`;
  await browser.client.signUp({ email, password: "bench-web-password", displayName: "Bench Traveller" });
  // The link of the sign-up e-mail, as the traveller opens it: it signs in.
  const { customer } = await browser.client.verifyEmail({ token: await signUpLink(system.url("smtp"), email) });
  if (!browser.cookies.has("itinera_session")) throw new Error("VerifyEmail set no session cookie");
  // Money moves only with the token of a service the wallet names: the benchmark is an operator's tool.
  const identity = createClient(IdentityService, createGrpcTransport({ baseUrl: system.url("identity") }));
  const { accessToken } = await identity.issueServiceToken({ serviceName: OPERATOR, secret: env.OPERATOR_SERVICE_SECRET ?? developmentServiceSecret(OPERATOR) });
  const wallet = createClient(WalletService, createGrpcTransport({ baseUrl: system.url("wallet") }));
  await wallet.credit(
    { idempotencyKey: `bench-web-credit-${customer!.customerId}`, customerId: customer!.customerId, amount: { amountMinor: 10_000n, currency: "EUR" }, reason: CreditReason.PROMOTION },
    { headers: { authorization: `Bearer ${accessToken}` } },
  );
  say(`signed up a customer through the BFF (session, refresh and CSRF cookies; x-csrf-token on every call); wallet credited EUR 100.00`);
  return browser;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MEASURED = ["web", "search", "catalog", "pricing", "wallet"] as const;
const LABEL: Record<(typeof MEASURED)[number], string> = { web: "BFF", search: "search", catalog: "catalog", pricing: "pricing", wallet: "wallet" };

/**
 * A warm-up ramp (10, 25, 50/s: JIT, pools, sessions — all at once from
 * cold overloads the catalog), then each mix at each rate for SECONDS,
 * reported with first-message and end-of-stream latencies, where the CPU
 * went and search's cache hits. Each phase starts after a pause, so the
 * circuits (open 5 s, 10 s window) and queues of the one before do not
 * carry over.
 */
async function round(system: RunningSystem, who: string, client: WebClient) {
  const warmup = searches("uniform", 999); // other stays than the phases' own
  for (const rate of [10, 25, 50]) {
    const warm = new StreamTally();
    await fixedRate({ rate, seconds: WARMUP_SECONDS, call: () => warm.search(client, warmup()) });
  }
  const parts = cpuParts(
    MEASURED.map((name) => ({ label: LABEL[name], metricsUrl: metricsUrl(system, name) })),
    await postmasterPid(PG_PORT),
  );
  for (const mix of MIX_LIST) {
    const next = searches(mix);
    for (const rate of RATES) {
      await pause(COOL_DOWN_MS);
      const tally = new StreamTally();
      const [before, cacheBefore] = await Promise.all([snapshot(parts), cacheLookups(system.url("search"))]);
      const r = await fixedRate({ rate, seconds: SECONDS, call: () => tally.search(client, next()) });
      const [after, cacheAfter] = await Promise.all([snapshot(parts), cacheLookups(system.url("search"))]);
      const first = [...tally.firstMs].sort((a, b) => a - b);
      const q = (p: number) => percentile(first, p).toFixed(1).padStart(7);
      const byCode = [...tally.errorsByCode].map(([code, n]) => `${code} ${n}`);
      const unanswered = r.errors - [...tally.errorsByCode.values()].reduce((a, b) => a + b, 0);
      if (unanswered > 0) byCode.push(`unanswered after the drain ${unanswered}`);
      say(`StreamHotels via the BFF, ${who}, ${mix} mix, ${rate} req/s for ${SECONDS} s (${load()}):`);
      say(`  stream end:    ${summary(r)}`);
      say(`  first message: ${first.length} streams     p50 ${q(50)} ms   p99 ${q(99)} ms   p999 ${q(99.9)} ms   max ${q(100)} ms   (from the send)`);
      say(`  errors by code: ${byCode.length > 0 ? byCode.join(", ") : "none"}`);
      say(
        `  ${(tally.messages / Math.max(1, tally.streams)).toFixed(1)} messages/stream, ${(tally.hotels / Math.max(1, tally.streams)).toFixed(1)} hotels in the last; ` +
          `${tally.incomplete} not complete, ${tally.degraded} degraded, ${tally.empty} empty, ${tally.withWallet} with the wallet balance`,
      );
      for (const line of cpuLines(parts, before, after, r.completed, CORES)) say(`  ${line}`);
      say(`  cache: ${cacheLine(cacheBefore, cacheAfter)}`);
    }
  }
  await pause(COOL_DOWN_MS);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
