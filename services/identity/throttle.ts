// Guessing is throttled: sign-in per account (the e-mail address) and per
// client address, service-token issuance per requested service name; and so
// is sign-up per address it would write to, since each one sends that
// address an e-mail (nobody can flood someone's inbox through us). A
// counter with backoff per key, kept in PostgreSQL (store.ts
// updateThrottles) so that every identity instance shares it:
//
//   - each attempt is counted BEFORE the password or secret is checked (so
//     a thousand guesses sent at once are a thousand counted attempts), and
//     forgiven when it was not a wrong credential (UNAUTHENTICATED, or
//     PERMISSION_DENIED: a credential of someone else) — a success also
//     clears the account's (or service's) counter, except a sign-up's: every
//     sign-up that sends an e-mail stays counted;
//   - from the `freeFailures`-th counted attempt on, the key is blocked for
//     `baseBlockMs`, doubling with each further failure up to `maxBlockMs`;
//     a blocked key is refused with RESOURCE_EXHAUSTED and the wait (the
//     transport sends it as `retry-after-ms`), without being counted;
//   - a counter untouched for `forgetAfterMs` starts again from zero.
//
// The wrapper leaves the service's rules alone (who the credential belongs
// to stays service.ts's business): it only decides whether an attempt runs.
import { createHash } from "node:crypto";
import type { Context } from "../../endpoints/context.js";
import { Code, KitError, resourceExhausted } from "../../endpoints/errors.js";
import type { Service } from "../../endpoints/service.js";
import type { IdentityService, SignInRequest } from "../../gen/itinera/identity/v1/identity_pb.js";
import { normaliseEmail } from "./service.js";
import type { IdentityStore, ThrottleRow } from "./store.js";

export interface ThrottlePolicy {
  /** Counted attempts before the first block. */
  freeFailures: number;
  baseBlockMs: number;
  maxBlockMs: number;
  forgetAfterMs: number;
}

export interface ThrottlePolicies {
  /** Per e-mail address (known or not: the answer must not tell). */
  account: ThrottlePolicy;
  /** Per client address, across accounts: higher, since many people may share one address. */
  address: ThrottlePolicy;
  /** Per requested service name. */
  service: ThrottlePolicy;
  /** Per address a sign-up writes to (each sign-up sends it an e-mail, whether or not it has an account). */
  signUp: ThrottlePolicy;
}

const MINUTE = 60_000;
export const DEFAULT_THROTTLE_POLICIES: ThrottlePolicies = {
  account: { freeFailures: 5, baseBlockMs: 30_000, maxBlockMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE },
  address: { freeFailures: 30, baseBlockMs: 30_000, maxBlockMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE },
  service: { freeFailures: 5, baseBlockMs: 30_000, maxBlockMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE },
  signUp: { freeFailures: 5, baseBlockMs: 10 * MINUTE, maxBlockMs: 60 * MINUTE, forgetAfterMs: 60 * MINUTE },
};

/** The answers that mean the credential was wrong: the attempt stays counted. */
const WRONG_CREDENTIAL = new Set([Code.Unauthenticated, Code.PermissionDenied]);

/** The one service whose `client_address` is honoured: the BFF signing a browser in. */
export const TRUSTED_FORWARDER = "web";

interface Key {
  key: string;
  policy: ThrottlePolicy;
  /**
   * What a success does to the counter: clears it (the account, the service),
   * forgives that one attempt (a client address), or keeps it counted (a
   * sign-up, which sent an e-mail).
   */
  onSuccess: "clear" | "forgive" | "keep";
}

/** "account:<sha256>": neither e-mail addresses nor client addresses are stored in clear. */
function keyOf(kind: string, subject: string): string {
  return `${kind}:${createHash("sha256").update(subject).digest("hex")}`;
}

/** Admits one attempt on a counter: the counter with it counted, or the wait when the key is blocked. */
export function admit(row: ThrottleRow | undefined, p: ThrottlePolicy, now: Date): { waitMs: number } | { row: ThrottleRow } {
  const t = now.getTime();
  const blockedUntil = row?.blockedUntil?.getTime() ?? 0;
  if (blockedUntil > t) return { waitMs: blockedUntil - t };
  const fresh = row !== undefined && t - row.updateTime.getTime() < p.forgetAfterMs;
  const failures = (fresh ? row.failures : 0) + 1;
  const overBy = failures - p.freeFailures;
  const blockMs = overBy >= 0 ? Math.min(p.maxBlockMs, p.baseBlockMs * 2 ** Math.min(overBy, 30)) : 0;
  return { row: { failures, blockedUntil: blockMs > 0 ? new Date(t + blockMs) : null, updateTime: now } };
}

/** Forgives one counted attempt; the block goes when the count is back under the free ones. */
export function forgive(row: ThrottleRow | undefined, p: ThrottlePolicy, now: Date): ThrottleRow | null | undefined {
  if (!row) return undefined;
  const failures = Math.max(0, row.failures - 1);
  if (failures === 0) return null;
  return { failures, blockedUntil: failures < p.freeFailures ? null : row.blockedUntil, updateTime: now };
}

export class Throttle {
  private attempts = 0;

  constructor(
    private readonly store: Pick<IdentityStore, "updateThrottles" | "forgetThrottles">,
    private readonly now: () => Date,
    readonly policies: ThrottlePolicies = DEFAULT_THROTTLE_POLICIES,
  ) {}

  /**
   * Runs `attempt` if no key is blocked; a wrong credential (UNAUTHENTICATED,
   * PERMISSION_DENIED) stays counted. `what` names the attempts in the
   * refusal: "Too many <what>: please wait …".
   */
  async run<T>(ctx: Context, keys: readonly Key[], what: string, attempt: () => Promise<T>): Promise<T> {
    const names = keys.map((k) => k.key);
    const waitMs = await this.store.updateThrottles(names, (rows) => {
      const now = this.now();
      const admitted = rows.map((r, i) => admit(r, keys[i]!.policy, now));
      const wait = Math.max(0, ...admitted.map((a) => ("waitMs" in a ? a.waitMs : 0)));
      // Blocked by any key: nothing counted on the others either.
      return { result: wait, rows: wait > 0 ? [] : admitted.map((a) => ("row" in a ? a.row : undefined)) };
    });
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw resourceExhausted(`Too many ${what}: please wait ${seconds} ${seconds === 1 ? "second" : "seconds"} and try again.`, waitMs);
    }
    this.sweepNowAndThen(ctx);
    try {
      const result = await attempt();
      await this.settle(keys, true);
      return result;
    } catch (e) {
      if (!(e instanceof KitError && WRONG_CREDENTIAL.has(e.code))) await this.settle(keys, false);
      throw e;
    }
  }

  private async settle(keys: readonly Key[], succeeded: boolean): Promise<void> {
    await this.store.updateThrottles(
      keys.map((k) => k.key),
      (rows) => ({
        result: undefined,
        rows: rows.map((r, i) => {
          const onSuccess = keys[i]!.onSuccess;
          if (succeeded && onSuccess === "keep") return undefined;
          if (succeeded && onSuccess === "clear") return r ? null : undefined;
          return forgive(r, keys[i]!.policy, this.now());
        }),
      }),
    );
  }

  /** Every 1000th attempt, counters nobody touched for a while are deleted, so the table does not grow with guessers. */
  private sweepNowAndThen(ctx: Context): void {
    if (++this.attempts % 1000 !== 0) return;
    const longest = Math.max(...Object.values(this.policies).map((p) => p.forgetAfterMs + p.maxBlockMs));
    void this.store.forgetThrottles(new Date(this.now().getTime() - longest)).catch((e: unknown) => {
      ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, "old throttle counters not deleted; the next sweep tries again");
    });
  }

  signInKeys(ctx: Context, req: Pick<SignInRequest, "email" | "clientAddress">): Key[] {
    const forwarded = ctx.principal?.kind === "service" && ctx.principal.id === TRUSTED_FORWARDER && req.clientAddress !== "";
    const address = forwarded ? req.clientAddress : ctx.clientAddress;
    return [
      { key: keyOf("account", normaliseEmail(req.email)), policy: this.policies.account, onSuccess: "clear" },
      ...(address ? [{ key: keyOf("address", address), policy: this.policies.address, onSuccess: "forgive" as const }] : []),
    ];
  }

  serviceKeys(serviceName: string): Key[] {
    return [{ key: keyOf("service", serviceName), policy: this.policies.service, onSuccess: "clear" }];
  }

  signUpKeys(email: string): Key[] {
    return [{ key: keyOf("signup", normaliseEmail(email)), policy: this.policies.signUp, onSuccess: "keep" }];
  }
}

/** The identity service with SignUp, SignIn and IssueServiceToken behind the throttle. */
export function throttled(service: Service<typeof IdentityService>, throttle: Throttle): Service<typeof IdentityService> {
  return {
    ...service,
    signUp: (ctx, req) => throttle.run(ctx, throttle.signUpKeys(req.email), "sign-ups for this address", () => service.signUp(ctx, req)),
    signIn: (ctx, req) => throttle.run(ctx, throttle.signInKeys(ctx, req), "failed sign-ins", () => service.signIn(ctx, req)),
    issueServiceToken: (ctx, req) =>
      throttle.run(ctx, throttle.serviceKeys(req.serviceName), `failed service-token requests for "${req.serviceName}"`, () =>
        service.issueServiceToken(ctx, req),
      ),
  };
}
