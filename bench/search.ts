// `make bench-search`: hotel search at fixed offered rates, two query mixes.
// 1. Starts the whole system as separate processes (scripts/system.ts) on
//    a fresh embedded PostgreSQL (.data/bench-pg, port 54338) and ports of
//    their own (17xxx), and times the ingestion of the demo inventory
//    through the real path (sandbox sellers → sellers → catalog, pricing).
// 2. For each mix (bench/stays.ts: uniform — the worst case for the cache —
//    and zipf — popular cities and weekends) and each rate (BENCH_RATES,
//    default 50, 100, 150 and 300/s; bench/load.ts, constant arrival rate)
//    offers hotel searches to the search process over gRPC for
//    BENCH_SECONDS (20), as a customer with a wallet balance (signed up by
//    following the link the SMTP sink received; their token on each call, so
//    every search asks the wallet and signs quotes).
// Each phase prints p50/p99/p999, errors by code, CPU milliseconds per search
// of each process it touches (bench/cpu.ts) and search's cache hit ratio.
import { rm } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { grpcTransport } from "../transport/client.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { SearchHotelsRequestSchema, SearchService } from "../gen/itinera/search/v1/search_pb.js";
import { CreditReason, WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { developmentServiceSecret } from "../services/identity/service-tokens.js";
import { startSystem, type RunningSystem } from "../scripts/system.js";
import { ingestionDone, OPERATOR, signUpLink } from "../scripts/demo.js";
import { cacheLine, cacheLookups, cpuLines, cpuParts, postmasterPid, snapshot } from "./cpu.js";
import { fixedRate, summary } from "./load.js";
import { MIXES, stays, type Mix } from "./stays.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PG_PORT = 54338;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RATES = (process.env.BENCH_RATES ?? "50,100,150,300").split(",").map(Number);
const MIX_LIST = (process.env.BENCH_MIXES?.split(",") ?? MIXES) as Mix[];
/** Between phases: the circuits (open 5 s, 10 s window) and queues of one do not carry over. */
const COOL_DOWN_MS = 10_000;
const CORES = availableParallelism();
const say = (line: string) => process.stdout.write(`${line}\n`);
const load = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} on ${CORES} cores`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hotel searches of one mix. */
function searches(mix: Mix, seed = 12345): () => MessageInitShape<typeof SearchHotelsRequestSchema> {
  const stay = stays(seed, mix);
  return () => {
    const { city, checkIn, checkOut } = stay();
    return { query: { query: city, checkIn, checkOut, pageSize: 20 } };
  };
}

/** The processes a hotel search touches, by /metrics. */
const MEASURED = ["search", "catalog", "pricing", "wallet"] as const;

async function main() {
  if (!process.env.BENCH_REUSE) await rm(join(ROOT, ".data", "bench-pg"), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: "warn",
    SKYLARK_PORT: "17101",
    CASA_PORT: "17102",
    WANDERLY_PORT: "17103",
    CATALOG_PORT: "17002",
    PRICING_PORT: "17003",
    WALLET_PORT: "17004",
    IDENTITY_PORT: "17001",
    SEARCH_PORT: "17005",
    SELLERS_PORT: "17008",
    // The rest of the system on ports of its own too (the SMTP sink's viewer holds the sign-up link).
    GATEWAY_PORT: "17110",
    SMTP_PORT: "17125",
    SMTP_VIEW_PORT: "17126",
    PAYMENT_PORT: "17006",
    BOOKING_PORT: "17007",
    MAILER_PORT: "17009",
    WEB_PORT: "17080",
  };
  delete env.DATABASE_URL;
  const started = Date.now();
  const system = await startSystem({ env, dataDir: join(ROOT, ".data", "bench-pg"), pgPort: PG_PORT, say, stdio: "ignore" });
  try {
    say(`system ready in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for the first ingestion of the demo inventory`);
    if (!(await ingestionDone({ sellersUrl: system.url("sellers"), identityUrl: system.url("identity"), env, since: started, signal: new AbortController().signal, timeoutMs: 600_000 }))) {
      throw new Error("the demo inventory was not ingested within 10 minutes");
    }
    say(`ingestion of the demo inventory (2,000 hotels, 8,000 rooms, 720,000 nightly rates, 77,040 flights): ${((Date.now() - started) / 1000).toFixed(1)} s after start`);

    // Money moves only with the token of a service the wallet names: the benchmark is an operator's tool.
    const identity = createClient(IdentityService, createGrpcTransport({ baseUrl: system.url("identity") }));
    const { accessToken } = await identity.issueServiceToken({ serviceName: OPERATOR, secret: env.OPERATOR_SERVICE_SECRET ?? developmentServiceSecret(OPERATOR) });
    // Searches are a signed-in customer's (the markdown and the quotes are theirs): their token goes with each call.
    // SignUp answers nothing: the customer exists, and is signed in, once the e-mailed link is followed.
    const email = `bench.${Date.now()}@example.com`;
    await identity.signUp({ email, password: "bench password 123", displayName: "Bench" });
    const customer = await identity.verifyEmail({ token: await signUpLink(system.url("smtp"), email) });
    const asCustomer = { headers: { authorization: `Bearer ${customer.tokens!.accessToken}` } };
    const wallet = createClient(WalletService, createGrpcTransport({ baseUrl: system.url("wallet") }));
    await wallet.credit(
      { idempotencyKey: "bench-credit", customerId: customer.customerId, amount: { amountMinor: 10_000n, currency: "EUR" }, reason: CreditReason.PROMOTION },
      { headers: { authorization: `Bearer ${accessToken}` } },
    );

    // As the BFF calls it (transport/client.ts: gRPC, no compression between services).
    const search = createClient(SearchService, grpcTransport(system.url("search")));
    await phases(system, (req) => search.searchHotels(req, asCustomer));
  } finally {
    await system.stop();
  }
}

/** A warm-up (JIT, pools, sessions), then each mix at each rate, reported with where the CPU went. */
async function phases(system: RunningSystem, call: (req: MessageInitShape<typeof SearchHotelsRequestSchema>) => Promise<unknown>) {
  const warm = searches("uniform", 999); // other stays than the phases' own
  await fixedRate({ rate: 50, seconds: 8, call: () => call(warm()) });
  const parts = cpuParts(
    MEASURED.map((name) => ({ label: name, metricsUrl: system.url(name) })),
    await postmasterPid(PG_PORT),
  );
  for (const mix of MIX_LIST) {
    const next = searches(mix);
    for (const rate of RATES) {
      await pause(COOL_DOWN_MS);
      const [cpuBefore, cacheBefore] = await Promise.all([snapshot(parts), cacheLookups(system.url("search"))]);
      const r = await fixedRate({ rate, seconds: SECONDS, call: () => call(next()) });
      const [cpuAfter, cacheAfter] = await Promise.all([snapshot(parts), cacheLookups(system.url("search"))]);
      say(`hotel search, ${mix} mix, ${rate} req/s for ${SECONDS} s (${load()}):`);
      say(`  ${summary(r)}`);
      for (const line of cpuLines(parts, cpuBefore, cpuAfter, r.completed, CORES)) say(`  ${line}`);
      say(`  cache: ${cacheLine(cacheBefore, cacheAfter)}`);
    }
  }
}

await main();
