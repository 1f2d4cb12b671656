// `make start`'s demo data, made through the real APIs as a person and a
// service would: the demo customer (SignIn when a previous start made it;
// otherwise SignUp, then the link of the e-mail the SMTP sink received,
// VerifyEmail) and a welcome credit on the wallet under a fixed idempotency
// key, so a second start reuses both and credits nothing twice.
// Also the demo operator: a person (signed up like the traveller) whom the
// operator tool gives the operator role (identity GrantOperatorRole), for
// the web app's Operator page; never in production, where no account may
// have a password printed in a terminal. And the watcher that says when the
// sellers' first ingestion is done. They act as "operator", the identity the
// contracts name for the people's tools (wallet Credit, sellers ListSellers,
// GrantOperatorRole), with a token from identity.
import { pino } from "pino";
import { backgroundContext, type Context, type Principal } from "../endpoints/context.js";
import { Code, KitError } from "../endpoints/errors.js";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { FeedKind, SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import { CreditReason, WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { developmentServiceSecret } from "../services/identity/service-tokens.js";
import { clientOf, grpcTransport } from "../transport/client.js";

/** The identity of the people's tools (this script, the benches, the end-to-end tests) in the contracts. */
export const OPERATOR = "operator";

export const DEMO = {
  email: "demo@itinera.example",
  password: "itinera-demo-2026",
  displayName: "Demo Traveller",
  creditMinor: 15_000n,
  currency: "EUR",
  /** One credit per demo customer, ever: the wallet answers a replay with the first answer. */
  creditKey: "demo-welcome-credit",
} as const;

/** The demo operator: a person with the operator role (development only). */
export const DEMO_OPERATOR = {
  email: "operator@itinera.example",
  password: "itinera-operator-2026",
  displayName: "Demo Operator",
} as const;

export interface DemoCustomer {
  customerId: string;
  /** True when this start made the account (false: a previous start did). */
  created: boolean;
  /** The balance available after the welcome credit, in minor units. */
  availableMinor: bigint;
}

const log = pino({ level: "silent" });
const ctxOf = (principal?: Principal): Context =>
  backgroundContext({ log, deadline: Date.now() + 10_000, ...(principal ? { principal } : {}) });
const codeOf = (e: unknown) => (e instanceof KitError ? e.code : undefined);

export interface SeedOptions {
  identityUrl: string;
  walletUrl: string;
  /** The SMTP sink's viewer (its JSON at /api/messages): where the sign-up link is read, as the demo traveller would. */
  inboxUrl: string;
  env: NodeJS.ProcessEnv;
  /** How long to wait for the sign-up e-mail. Default 60 s. */
  mailTimeoutMs?: number;
}

/** Signs the demo customer in (or up, following the e-mailed link) and credits the welcome money once. */
export async function seedDemo(opts: SeedOptions): Promise<DemoCustomer> {
  const wallet = clientOf(WalletService, grpcTransport(opts.walletUrl));
  const { customerId, created } = await account(opts, DEMO);

  // Money moves only with the token of a service the wallet's contract names.
  const service = await operatorPrincipal(opts);
  // A second start replays the same key and request: the first answer, nothing written.
  await wallet.credit(ctxOf(service), {
    idempotencyKey: DEMO.creditKey,
    customerId,
    amount: { amountMinor: DEMO.creditMinor, currency: DEMO.currency },
    reference: "Welcome to Itinera",
    reason: CreditReason.PROMOTION,
  });
  const balance = await wallet.getBalance(ctxOf(service), { customerId, currency: DEMO.currency });
  return { customerId, created, availableMinor: balance.balance?.available?.amountMinor ?? 0n };
}

/**
 * The demo operator: signed in (or up, following the e-mailed link) and
 * given the operator role by the operator tool (granting it again changes
 * nothing). Refused with ITINERA_ENV=production: there the role goes to real
 * accounts only (GrantOperatorRole with the deployment's operator credential).
 */
export async function seedOperator(opts: SeedOptions): Promise<{ customerId: string; created: boolean }> {
  if (opts.env.ITINERA_ENV === "production") {
    throw new Error("no demo operator in production (ITINERA_ENV=production): give a real account the role with identity's GrantOperatorRole");
  }
  const person = await account(opts, DEMO_OPERATOR);
  const identity = clientOf(IdentityService, grpcTransport(opts.identityUrl));
  await identity.grantOperatorRole(ctxOf(await operatorPrincipal(opts)), { email: DEMO_OPERATOR.email });
  return person;
}

/** Signs a demo person in, or signs them up and follows the link the SMTP sink received, as the person would. */
async function account(opts: SeedOptions, person: { email: string; password: string; displayName: string }): Promise<{ customerId: string; created: boolean }> {
  const identity = clientOf(IdentityService, grpcTransport(opts.identityUrl));
  try {
    return { customerId: (await identity.signIn(ctxOf(), { email: person.email, password: person.password })).customerId, created: false };
  } catch (e) {
    // No account yet, or one a start interrupted before its link was followed: sign up (again) and follow the link.
    if (codeOf(e) !== Code.Unauthenticated && codeOf(e) !== Code.FailedPrecondition) throw e;
    await identity.signUp(ctxOf(), { email: person.email, password: person.password, displayName: person.displayName });
    const token = await signUpLink(opts.inboxUrl, person.email, opts.mailTimeoutMs ?? 60_000);
    return { customerId: (await identity.verifyEmail(ctxOf(), { token })).customerId, created: true };
  }
}

/** The operator's principal: a service token from identity, for the operator's own credential (OPERATOR_SERVICE_SECRET). */
export async function operatorPrincipal(opts: { identityUrl: string; env: NodeJS.ProcessEnv }): Promise<Principal> {
  const identity = clientOf(IdentityService, grpcTransport(opts.identityUrl));
  const secret = opts.env.OPERATOR_SERVICE_SECRET || developmentServiceSecret(OPERATOR);
  const token = await identity.issueServiceToken(ctxOf(), { serviceName: OPERATOR, secret });
  return { kind: "service", id: OPERATOR, roles: [], token: token.accessToken };
}

/**
 * The token of the newest sign-up link e-mailed to `email`, as its owner
 * would click it: read from the SMTP sink's viewer (GET /api/messages?to=),
 * polled until `timeoutMs`. The demo, the e2e fixture and the benchmarks
 * sign customers up with it.
 */
export async function signUpLink(inboxUrl: string, email: string, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  const url = new URL("/api/messages", inboxUrl);
  url.searchParams.set("to", email);
  while (Date.now() < until) {
    const res = await fetch(url).catch(() => undefined);
    const messages = res?.ok ? ((await res.json()) as { text: string }[]) : [];
    const token = messages.flatMap((m) => m.text.match(/\/verify\?token=([\w-]+)/)?.[1] ?? []).at(-1);
    if (token) return token;
    await new Promise((r) => setTimeout(r, 250).unref());
  }
  throw new Error(`no sign-up e-mail reached the SMTP sink (${inboxUrl}) within ${timeoutMs / 1000} s: is the mailer running?`);
}

/**
 * Resolves once every pull seller has synced since `since` (the sellers
 * service pulls at start), like bench/search.ts waits for ingestion. Polls
 * quietly through restarts of the sellers process; gives up after `timeoutMs`.
 */
export async function ingestionDone(opts: {
  sellersUrl: string;
  identityUrl: string;
  env: NodeJS.ProcessEnv;
  since: number;
  signal: AbortSignal;
  timeoutMs?: number;
}): Promise<boolean> {
  const sellers = clientOf(SellersService, grpcTransport(opts.sellersUrl));
  const until = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  let operator: Principal | undefined;
  while (!opts.signal.aborted && Date.now() < until) {
    operator ??= await operatorPrincipal(opts).catch(() => undefined);
    const list = operator ? await sellers.listSellers(ctxOf(operator), {}).catch(() => undefined) : undefined;
    const pulled = list?.sellers.filter((s) => s.feed === FeedKind.PULL) ?? [];
    const synced = (s: (typeof pulled)[number]) => s.lastSyncTime !== undefined && Number(s.lastSyncTime.seconds) * 1000 >= opts.since - 1000;
    if (pulled.length > 0 && pulled.every(synced)) return true;
    await new Promise((r) => setTimeout(r, 2000).unref());
  }
  return false;
}
