// Production refuses development secrets, over the real processes: each
// service's main.ts started with ITINERA_ENV=production exits non-zero,
// before it touches a database, with one clean line (no stack trace) that
// names every secret still unset or still at its development default — and
// only those: a process given secrets of its own for the others names just
// the one left at its default. The sandbox is not the product and is exempt.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startProcess } from "../platform/processes.testing.js";
import { DEVELOPMENT_QUOTE_SECRET } from "../platform/quotes.js";
import { credentialsOf, DEVELOPMENT_SERVICE_NAMES } from "../services/identity/service-credentials.js";
import { developmentServiceSecret } from "../services/identity/service-tokens.js";

/** Each service's secrets, each with its development default (what an unconfigured deployment would run on). */
const SECRETS: Record<string, Record<string, string>> = {
  identity: {
    SERVICE_CREDENTIALS: [...credentialsOf(DEVELOPMENT_SERVICE_NAMES, developmentServiceSecret)].map(([n, d]) => `${n}:${d}`).join(","),
  },
  catalog: { CATALOG_PAGE_TOKEN_SECRET: "sandbox-catalog-page-tokens", SERVICE_SECRET: developmentServiceSecret("catalog") },
  pricing: { SERVICE_SECRET: developmentServiceSecret("pricing") },
  wallet: { SERVICE_SECRET: developmentServiceSecret("wallet"), WALLET_PAGE_TOKEN_SECRET: "itinera-development-wallet-page-tokens" },
  search: { SERVICE_SECRET: developmentServiceSecret("search"), QUOTE_SECRET: DEVELOPMENT_QUOTE_SECRET },
  booking: { SERVICE_SECRET: developmentServiceSecret("booking"), BOOKING_PAGE_TOKEN_SECRET: "itinera-development-booking-page-tokens" },
  payment: {
    GATEWAY_SECRET: "itinera-development-gateway-secret",
    SERVICE_SECRET: developmentServiceSecret("payment"),
    QUOTE_SECRET: DEVELOPMENT_QUOTE_SECRET,
    PAYMENT_PAGE_TOKEN_SECRET: "itinera-development-payment-page-tokens",
  },
  sellers: { SERVICE_SECRET: developmentServiceSecret("sellers"), SELLERS_WEBHOOK_KEYS: "wanderly:itinera-development-webhook-key-wanderly" },
  mailer: { SERVICE_SECRET: developmentServiceSecret("mailer") },
  web: { SERVICE_SECRET: developmentServiceSecret("web"), WEB_PAGE_TOKEN_SECRET: "itinera-development-web-page-tokens" },
};

test("the list covers every service the product runs", async () => {
  // A process of its own is a folder with a main.ts (services/bus-admin is served inside the consuming processes).
  const dirs = (await readdir(new URL("../services", import.meta.url), { withFileTypes: true })).filter((d) => d.isDirectory());
  const services = dirs.filter((d) => existsSync(new URL(`../services/${d.name}/main.ts`, import.meta.url))).map((d) => d.name);
  assert.equal(Object.keys(SECRETS).sort(), services.sort());
});

/** Nothing listens there: a process that got past its configuration would fail on it, with another message. */
const NO_DATABASE = "postgres://nobody:nothing@127.0.0.1:9/none";

async function startInProduction(service: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const p = startProcess(`services/${service}/main.ts`, { ITINERA_ENV: "production", DATABASE_URL: NO_DATABASE, LOG_LEVEL: "error", ...env });
  try {
    return { code: await p.exited, stderr: p.stderr() };
  } finally {
    await p.kill();
  }
}

function assertRefused(service: string, out: { code: number | null; stderr: string }, variables: string[], why: RegExp) {
  assert.is(out.code, 1, `${service} exit code; stderr: ${out.stderr}`);
  assert.match(out.stderr, new RegExp(`^${service} failed to start: invalid configuration`), out.stderr);
  assert.not.match(out.stderr, /\n\s+at /, `${service}: a message, not a stack trace: ${out.stderr}`);
  for (const variable of variables) assert.match(out.stderr, new RegExp(`${variable} ${why.source}`), `${service} names ${variable}: ${out.stderr}`);
  for (const value of Object.values(SECRETS[service]!)) assert.not.ok(out.stderr.includes(value), `${service} printed a secret`);
}

/** Runs `work` for every service, two at a time (the machine's cores are shared). */
async function eachService(work: (service: string) => Promise<void>) {
  const queue = Object.keys(SECRETS);
  await Promise.all([0, 1].map(async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) await work(s);
  }));
}

test("every service with a secret unset refuses to start in production, naming each variable", () =>
  eachService(async (service) => {
    const unset = Object.fromEntries(Object.keys(SECRETS[service]!).map((v) => [v, ""]));
    assertRefused(service, await startInProduction(service, unset), Object.keys(SECRETS[service]!), /is required when ITINERA_ENV=production/);
  }));

test("every secret left at its development default is refused in production, naming only it", () =>
  eachService(async (service) => {
    const variables = Object.keys(SECRETS[service]!);
    const [kept, ...others] = variables;
    const own = Object.fromEntries(others.map((v) => [v, v === "SELLERS_WEBHOOK_KEYS" ? "wanderly:a-key-of-our-own" : `a-secret-of-our-own-for-${v}`]));
    const out = await startInProduction(service, { ...own, [kept!]: SECRETS[service]![kept!]! });
    assertRefused(service, out, [kept!], /(is|keeps) the development default/);
    for (const other of others) assert.not.match(out.stderr, new RegExp(other), `${service}: ${other} was set, so it is not named`);
    // Nor any secret this list does not know of: one variable at fault, one problem.
    assert.is(out.stderr.match(/is required when|(is|keeps) the development default/g)?.length, 1, `${service}: ${out.stderr}`);
  }));

test("outside production the same processes take the development defaults (they fail later, on the missing database)", async () => {
  const out = await startInProduction("wallet", { ITINERA_ENV: "" });
  assert.is(out.code, 1);
  assert.not.match(out.stderr, /invalid configuration/);
  assert.match(out.stderr, /^wallet failed to start: /);
});

test.run();
