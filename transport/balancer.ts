// Client-side balancing over the replicas of one dependency: a Transport that
// sends each call to the next healthy replica, round robin, each replica on
// its own HTTP/2 connection (transport/client.ts builds one per base URL).
//
//   const transport = balancedTransport(["http://10.0.0.5:7002", "http://catalog-headless:7002"], (url, onGoaway) => …);
//
// Why round robin and not least-outstanding: the replicas are copies of one
// process and internal calls are short and alike, so turns spread them
// evenly; a replica that fails fast (answers every call with an error at
// once) has the fewest calls outstanding and would draw all the traffic under
// least-outstanding. Turns also cost nothing per call (an index).
//
// Addresses: transport/replica-addresses.ts (host names resolved to every
// address); the connections of addresses still listed are kept.
//
// A replica is taken out of the turns when it sends GOAWAY (it drains) or a
// call on it could not be sent (refused, reset, no connection, a stream
// refused after GOAWAY) or lost its connection mid-call; it is probed again
// (grpc.health.v1 Check, SERVING) after a back-off of 100 ms doubling to 1 s,
// and called again once the probe passes. When no replica is in the turns,
// calls go to those taken out (one may be back before its probe says so).
// Each transition is logged once, on the client's logger (`log`): warn when a
// replica is taken out, with why; info when it is back, with how and after how
// long; both with the dependency (`target`: its URL variable's entries) and the
// replica's base URL.
//
// What a failed attempt may do next:
//   - not sent (connection refused or failed, REFUSED_STREAM): another
//     replica, whatever the method;
//   - sent, and the connection was lost or the answer was UNAVAILABLE: another
//     replica only when the method is idempotent by its contract
//     (NO_SIDE_EFFECTS or IDEMPOTENT); otherwise the caller gets UNAVAILABLE;
//   - any other error is an answer: the caller gets it.
// Each replica is tried at most once per call, within the call's timeout, so
// the retry middleware (endpoints/middleware/retry.ts) and the breaker above
// see one call that failed only when every replica failed it.
//
// Hedging (gRPC's A6 hedging policy, for side-effect-free methods only): a
// unary call whose method has no side effects (NO_SIDE_EFFECTS) and that has
// not been answered after half its timeout is sent once more, to another
// replica in the turns; the first answer wins, the other one is left to end
// (nothing of it is used). A replica that just came back and is still cold, or
// one slowed by a neighbour, then costs half a budget instead of the call.
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { pino, type Logger } from "pino";
import { isIdempotent } from "../endpoints/endpoint.js";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "../gen/grpc/health/v1/health_pb.js";
import { ReplicaAddresses, type AddressOptions } from "./replica-addresses.js";
import { wasNotSent } from "./replica-sessions.js";

export interface BalancerOptions extends AddressOptions {
  /** Where replicas going out of the turns and coming back are logged; default nowhere. */
  log?: Logger;
}

/** Builds the transport of one replica; it calls `onGoaway` when the replica's connection gets GOAWAY. */
export type ReplicaTransport = (baseUrl: string, onGoaway: () => void) => Transport;

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1_000;
const PROBE_TIMEOUT_MS = 1_000;
/** A side-effect-free call not answered after this fraction of its timeout is sent to a second replica. */
const HEDGE_AT = 0.5;
const NO_LOG: Logger = pino({ level: "silent" });

class Replica {
  up = true;
  probing = false;
  /** Attempts sent to it (probes aside). */
  calls = 0;
  failures = 0;
  retryAt = 0;
  /** When it was taken out. */
  private outSince = 0;
  readonly transport: Transport;

  constructor(
    readonly baseUrl: string,
    open: ReplicaTransport,
    private readonly log: Logger,
  ) {
    this.transport = open(baseUrl, () => this.takeOut("GOAWAY: the replica is draining"));
  }

  /** Out of the turns until a probe passes; the calls that fail with it at once count as one failure. */
  takeOut(reason: string): void {
    if (!this.up) return;
    this.up = false;
    this.outSince = Date.now();
    this.backOff();
    this.log.warn({ reason }, "replica taken out of the turns; its health is checked again until it serves");
  }

  private backOff(): void {
    this.failures++;
    this.retryAt = Date.now() + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (this.failures - 1));
  }

  /** Back in the turns (`after`: what showed it serves). */
  putBack(after: string): void {
    if (this.up) return;
    this.up = true;
    this.failures = 0;
    this.log.info({ after, out_ms: Date.now() - this.outSince }, "replica back in the turns");
  }

  /** After the back-off, asks the replica's health service whether it serves again. */
  probeWhenDue(): void {
    if (this.probing || Date.now() < this.retryAt) return;
    this.probing = true;
    this.transport
      .unary(Health.method.check, AbortSignal.timeout(PROBE_TIMEOUT_MS), PROBE_TIMEOUT_MS, undefined, { service: "" })
      .then(
        (answer) => answer.message.status === Serving.SERVING,
        () => false,
      )
      .then((serving) => {
        this.probing = false;
        if (serving) this.putBack("health check SERVING");
        else if (!this.up) this.backOff();
      });
  }
}

/** What a failed attempt says about where the call may go next. */
type Failure = "not sent" | "lost" | "unavailable" | "answer";

/** Node and HTTP/2 codes of a connection that ended under a call. */
const CONNECTION_LOST = new Set(["ECONNRESET", "EPIPE", "ERR_HTTP2_SESSION_ERROR", "ERR_HTTP2_STREAM_CANCEL", "ERR_HTTP2_GOAWAY_SESSION"]);

function failureOf(e: unknown, signal: AbortSignal | undefined): Failure {
  if (wasNotSent(e)) return "not sent";
  if (!(e instanceof ConnectError)) return "answer";
  // Streams above a GOAWAY's last stream id are refused unprocessed (RFC 9113 §6.8); Node
  // says so in the message (connect-node makes it INTERNAL, the fast path UNAVAILABLE).
  if (e.rawMessage.includes("REFUSED_STREAM")) return "not sent";
  if (signal?.aborted) return "answer"; // the caller gave up: nothing to do elsewhere
  // Our side cancels a stream only for its signal: a CANCEL it did not ask for is the connection closing.
  if (e.code === Code.Canceled || causeCodes(e).some((c) => CONNECTION_LOST.has(c))) return "lost";
  return e.code === Code.Unavailable ? "unavailable" : "answer";
}

/** The most telling code of a failed attempt, for the log: Node's (ECONNREFUSED, …), HTTP/2's, or Connect's. */
function errorCode(e: unknown): string {
  if (e instanceof ConnectError && e.rawMessage.includes("REFUSED_STREAM")) return "REFUSED_STREAM";
  return causeCodes(e)[0] ?? (e instanceof ConnectError ? Code[e.code] : "unknown");
}

function causeCodes(e: unknown): string[] {
  const codes: string[] = [];
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 10; c = c.cause, depth++) {
    if ("code" in c && typeof c.code === "string") codes.push(c.code);
  }
  return codes;
}

export class Balancer {
  private replicas: Replica[] = [];
  private turn = 0;
  private readonly addresses: ReplicaAddresses;
  /** The addresses `replicas` were made from. */
  private made: readonly string[] = [];
  /** Lines about the replicas of this dependency. */
  private readonly log: Logger;

  constructor(
    entries: readonly string[],
    private readonly open: ReplicaTransport,
    opts: BalancerOptions = {},
  ) {
    this.log = (opts.log ?? NO_LOG).child({ target: entries.join(",") });
    this.addresses = new ReplicaAddresses(entries, opts);
    if (!this.addresses.resolves) this.follow(this.addresses.current() as readonly string[]);
  }

  /** The base URLs called now, whether each is in the turns, and how many attempts each was sent. */
  replicaStates(): { baseUrl: string; up: boolean; calls: number }[] {
    return this.replicas.map((r) => ({ baseUrl: r.baseUrl, up: r.up, calls: r.calls }));
  }

  /**
   * Sends one attempt after another to the replicas until one answers, the
   * failure is an answer, `mayResend` refuses, or no replica is left.
   */
  async call<T>(
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    attempt: (t: Transport, timeoutMs: number | undefined) => Promise<T>,
    mayResend: (failure: "not sent" | "lost" | "unavailable") => boolean,
    hedge?: Hedge,
  ): Promise<T> {
    if (this.addresses.resolves) this.follow(await this.addresses.current());
    const started = timeoutMs === undefined ? 0 : Date.now();
    let tried: Replica[] | undefined = hedge && hedge.avoid.length > 0 ? [...hedge.avoid] : undefined;
    let first = true;
    let last: unknown;
    for (;;) {
      const replica = this.pick(tried, hedge !== undefined && hedge.avoid.length > 0);
      if (replica === undefined) throw last ?? this.addresses.noAddress();
      const left = timeoutMs === undefined || first ? timeoutMs : timeoutMs - (Date.now() - started);
      if (left !== undefined && left <= 0) throw last;
      first = false;
      hedge?.picked.push(replica);
      const sentWhileOut = !replica.up;
      replica.calls++;
      try {
        const answer = await attempt(replica.transport, left);
        // An answer to an attempt sent while it was out (no replica was up) says it serves again; one sent
        // before its GOAWAY and answered during its drain says nothing, and must not put a draining replica back.
        if (sentWhileOut) replica.putBack("it answered a call");
        return answer;
      } catch (e) {
        const failure = failureOf(e, signal);
        if (failure === "answer") throw e;
        if (failure !== "unavailable") {
          replica.takeOut(`${failure === "lost" ? "connection lost during a call" : "call not sent"} (${errorCode(e)})`);
          this.addresses.replicaFailed();
        }
        if (!mayResend(failure)) {
          if (failure !== "lost") throw e;
          throw new ConnectError(`the connection to ${replica.baseUrl} ended during the call; it may have run`, Code.Unavailable, undefined, undefined, e);
        }
        (tried ??= []).push(replica);
        last = e;
      }
    }
  }

  /** Replicas in the turns now. */
  upCount(): number {
    return this.replicas.reduce((n, r) => n + (r.up ? 1 : 0), 0);
  }

  /** The next replica in the turns; when none is up, the next one not tried (unless `upOnly`: a hedge). */
  private pick(tried: Replica[] | undefined, upOnly = false): Replica | undefined {
    const all = this.replicas;
    const n = all.length;
    for (let i = 0; i < n; i++) {
      const r = all[(this.turn + i) % n]!;
      if (!r.up) {
        r.probeWhenDue();
        continue;
      }
      if (tried?.includes(r)) continue;
      this.turn = (this.turn + i + 1) % n;
      return r;
    }
    if (upOnly) return undefined;
    for (let i = 0; i < n; i++) {
      const r = all[(this.turn + i) % n]!;
      if (tried?.includes(r)) continue;
      this.turn = (this.turn + i + 1) % n;
      return r;
    }
    return undefined;
  }

  /** One replica per address, keeping those of addresses still listed. */
  private follow(urls: readonly string[]): void {
    if (urls === this.made) return;
    const kept = new Map(this.replicas.map((r) => [r.baseUrl, r]));
    this.replicas = urls.map((u) => kept.get(u) ?? new Replica(u, this.open, this.log.child({ replica: u })));
    this.made = urls;
  }
}

/** A Transport over `entries` (base URLs; host names resolved), each replica's transport built by `open`. */
export function balancedTransport(entries: readonly string[], open: ReplicaTransport, opts: BalancerOptions = {}): Transport & { balancer: Balancer } {
  const balancer = new Balancer(entries, open, opts);
  return {
    balancer,
    unary: (method, signal, timeoutMs, header, input, contextValues) => {
      const resendable = isIdempotent(method);
      const send = (hedge?: Hedge, timeout = timeoutMs) =>
        balancer.call(
          signal,
          timeout,
          (t, left) => t.unary(method, signal, left, header, input, contextValues),
          (failure) => failure === "not sent" || resendable,
          hedge,
        );
      const hedgeable = method.idempotency === Idempotency.NO_SIDE_EFFECTS && timeoutMs !== undefined && balancer.upCount() > 1;
      return hedgeable ? hedged(send, timeoutMs) : send();
    },
    stream: (method, signal, timeoutMs, header, input, contextValues) => {
      // A request stream is read once: it may go to another replica only while nothing of it was read.
      let read = false;
      const once: typeof input = { [Symbol.asyncIterator]: () => ((read = true), input[Symbol.asyncIterator]()) };
      return balancer.call(
        signal,
        timeoutMs,
        (t, left) => t.stream(method, signal, left, header, once, contextValues),
        (failure) => failure === "not sent" && !read,
      );
    },
  };
}

/** A hedged call's attempts: the replicas to avoid (those of the first), and those it went to. */
interface Hedge {
  avoid: readonly Replica[];
  picked: Replica[];
}

/**
 * `send` once; if it has not settled after HEDGE_AT of `timeoutMs`, once more (within the time
 * left) avoiding the replicas the first went to. The first answer wins; when none comes, the
 * caller gets the first attempt's error.
 */
function hedged<T>(send: (hedge: Hedge, timeoutMs: number) => Promise<T>, timeoutMs: number): Promise<T> {
  const delayMs = timeoutMs * HEDGE_AT;
  return new Promise<T>((resolve, reject) => {
    const first: Hedge = { avoid: [], picked: [] };
    const errors: unknown[] = [];
    let pending = 1;
    let settled = false;
    const settle = (attempt: Promise<T>, index: number) =>
      attempt.then(
        (answer) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(answer);
        },
        (e: unknown) => {
          errors[index] = e;
          if (settled || --pending > 0) return;
          settled = true;
          clearTimeout(timer);
          reject(errors[0] ?? e);
        },
      );
    settle(send(first, timeoutMs), 0);
    const timer = setTimeout(() => {
      if (settled || first.picked.length === 0) return;
      pending++;
      // With no other replica in the turns the hedge fails at once, and the first attempt decides.
      settle(send({ avoid: first.picked, picked: [] }, timeoutMs - delayMs), 1);
    }, delayMs);
  });
}
