// How an adapter calls its seller: `fetch` (a third party is not one of our
// services, so not clientOf) behind, in order, the seller's circuit breaker
// (opossum; while open, nothing is sent), its client-side throttle (throttled
// endpoints only; a 429 pauses every call until Retry-After) and a timeout
// (the earlier of the ctx deadline and `timeoutMs`). Failures come out as
// kit errors; like the kit's breaker middleware, only transport-level ones
// (Unavailable, DeadlineExceeded, ResourceExhausted, Internal) count against
// the circuit, never a 404 or a cancelled caller. GETs (listings, rates,
// quotes) turn a 4xx into a kit error; POSTs (bookings) hand it back, since a
// seller's refusal is an answer, not a failure.
import CircuitBreaker from "opossum";
import { remainingMs, type Context } from "../../endpoints/context.js";
import {
  canceled,
  Code,
  deadlineExceeded,
  failedPrecondition,
  KitError,
  notFound,
  resourceExhausted,
  unavailable,
} from "../../endpoints/errors.js";
import { countsAsFailure, type BreakerState } from "../../endpoints/middleware/breaker.js";
import { SellerThrottle, type ThrottleOptions } from "./throttle.js";

export interface SellerBreakerOptions {
  /** Failures above this share of calls in the window open the circuit. Default 50. */
  errorThresholdPercentage?: number;
  /** How long it stays open before one probe call. Default 10 000 ms. */
  resetTimeoutMs?: number;
  /** Calls in the window before it may open at all. Default 5. */
  volumeThreshold?: number;
  /** The rolling statistics window. Default 10 000 ms. */
  rollingCountTimeoutMs?: number;
}

/** What every adapter is built with, besides its own settings. */
export interface SellerHttpOptions {
  sellerId: string;
  /** The seller's API root ("http://127.0.0.1:7101"). */
  baseUrl: string;
  throttle: ThrottleOptions;
  breaker?: SellerBreakerOptions;
  /** The longest one request may take (the ctx deadline may cut it shorter). Default 5000 ms. */
  timeoutMs?: number;
  /** Called on every breaker transition (logs). */
  onBreakerChange?: (sellerId: string, state: BreakerState) => void;
}

export interface RequestOptions {
  query?: Readonly<Record<string, string | number>>;
  /** A price or fare endpoint the seller throttles: take a token first. */
  throttled?: boolean;
  /** This request's own cap (a large bulk page), instead of the seller's. */
  timeoutMs?: number;
}

/** Attempts of one call when the seller answers 429 and the deadline allows waiting. */
const MAX_ATTEMPTS = 3;
const DEFAULT_RETRY_AFTER_MS = 1000;

/** What one call sends: a GET, or a POST with a body. */
interface Outgoing {
  url: URL;
  method: "GET" | "POST";
  body?: string;
  contentType?: string;
  /** A conditional GET: the validator of the copy we have. */
  ifNoneMatch?: string;
}

/** A seller's answer below 500 (and not 429): what the caller makes of a 4xx is its business. */
export interface SellerAnswer {
  status: number;
  body: string;
  /** Its validator (ETag header), when it gave one. */
  etag?: string;
}

/** What a conditional request for a feed's version learnt; no version when the seller has none (404). */
export type FeedVersion = { changed: false } | { changed: true; version?: string };

type Send = (ctx: Context, req: Outgoing, timeoutMs: number) => Promise<SellerAnswer>;

export class SellerHttp {
  readonly sellerId: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly throttle: SellerThrottle;
  private readonly circuit: CircuitBreaker<Parameters<Send>, SellerAnswer>;

  constructor(opts: SellerHttpOptions) {
    this.sellerId = opts.sellerId;
    this.baseUrl = opts.baseUrl;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.throttle = new SellerThrottle(opts.sellerId, opts.throttle);
    const b = opts.breaker ?? {};
    this.circuit = new CircuitBreaker<Parameters<Send>, SellerAnswer>((ctx, req, ms) => this.send(ctx, req, ms), {
      name: `seller:${opts.sellerId}`,
      timeout: false, // send() owns time
      errorThresholdPercentage: b.errorThresholdPercentage ?? 50,
      resetTimeout: b.resetTimeoutMs ?? 10_000,
      volumeThreshold: b.volumeThreshold ?? 5,
      rollingCountTimeout: b.rollingCountTimeoutMs ?? 10_000,
      enableSnapshots: false,
      errorFilter: (err: unknown) => !countsAsFailure(err), // true: not a failure
    });
    const report = opts.onBreakerChange;
    if (report) {
      this.circuit.on("open", () => report(this.sellerId, "open"));
      this.circuit.on("halfOpen", () => report(this.sellerId, "half-open"));
      this.circuit.on("close", () => report(this.sellerId, "closed"));
    }
  }

  /** GET `path` and parse the JSON answer. */
  async getJson(ctx: Context, path: string, opts: RequestOptions = {}): Promise<unknown> {
    const text = await this.getText(ctx, path, opts);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new KitError(Code.Internal, `${this.sellerId} answered ${path} with malformed JSON`, { cause: e });
    }
  }

  /** GET `path` and return the body as text. */
  async getText(ctx: Context, path: string, opts: RequestOptions = {}): Promise<string> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
    const answer = await this.call(ctx, { url, method: "GET" }, opts);
    if (answer.status === 404) throw notFound(`${this.sellerId} has no ${url.pathname}${url.search}`);
    if (answer.status >= 400) throw failedPrecondition(`${this.sellerId} refused ${url.pathname} with HTTP ${answer.status}`);
    return answer.body;
  }

  /**
   * GET `path`, a resource whose ETag is the version of the seller's feed,
   * with If-None-Match `known` (the version of our last pull): unchanged on
   * 304, else the version it has now — none when it answers 404 (it offers
   * no version: every pull is a full one).
   */
  async feedVersion(ctx: Context, path: string, known: string | undefined, opts: RequestOptions = {}): Promise<FeedVersion> {
    const url = new URL(path, this.baseUrl);
    const answer = await this.call(ctx, { url, method: "GET", ...(known ? { ifNoneMatch: known } : {}) }, opts);
    if (answer.status === 304 && known) return { changed: false };
    if (answer.status === 404) return { changed: true };
    if (answer.status !== 200) throw failedPrecondition(`${this.sellerId} answered ${url.pathname} with HTTP ${answer.status}`);
    if (!answer.etag) throw failedPrecondition(`${this.sellerId} answered ${url.pathname} without an ETag: its feed has no version`);
    return { changed: true, version: answer.etag };
  }

  /**
   * POST `body` to `path` and return the answer whatever its status below
   * 500: a booking reads the seller's refusal (409) from its body. 5xx,
   * 429, timeouts and network failures throw, and count against the circuit.
   */
  async post(ctx: Context, path: string, body: string, contentType: string, opts: RequestOptions = {}): Promise<SellerAnswer> {
    return this.call(ctx, { url: new URL(path, this.baseUrl), method: "POST", body, contentType }, opts);
  }

  private async call(ctx: Context, req: Outgoing, opts: RequestOptions): Promise<SellerAnswer> {
    for (let attempt = 1; ; attempt++) {
      if (this.circuit.opened) throw unavailable(`${this.sellerId} is not called: its circuit breaker is open`);
      await this.throttle.acquire(ctx, opts.throttled ?? false);
      try {
        return await this.circuit.fire(ctx, req, opts.timeoutMs ?? this.timeoutMs);
      } catch (e) {
        if (e instanceof Error && CircuitBreaker.isOurError(e)) {
          throw unavailable(`${this.sellerId} is not called: its circuit breaker is ${this.breakerState()}`, e);
        }
        // A 429 paused the throttle; the next acquire waits it out if the deadline allows, or fails fast.
        if (e instanceof KitError && e.code === Code.ResourceExhausted && attempt < MAX_ATTEMPTS) continue;
        throw e;
      }
    }
  }

  breakerState(): BreakerState {
    return this.circuit.opened ? "open" : this.circuit.halfOpen ? "half-open" : "closed";
  }

  close(): void {
    this.circuit.shutdown();
  }

  private async send(ctx: Context, req: Outgoing, timeoutMs: number): Promise<SellerAnswer> {
    const { url } = req;
    const budget = Math.min(timeoutMs, remainingMs(ctx));
    if (budget <= 0) throw deadlineExceeded(`no time was left to call ${this.sellerId}`);
    const timeout = AbortSignal.timeout(budget);
    let status: number;
    let retryAfter: string | null;
    let body: string;
    let etag: string | null;
    try {
      const init: RequestInit = {
        method: req.method,
        signal: AbortSignal.any([ctx.signal, timeout]),
        headers: {
          "x-request-id": ctx.requestId,
          ...(req.contentType ? { "content-type": req.contentType } : {}),
          ...(req.ifNoneMatch ? { "if-none-match": req.ifNoneMatch } : {}),
        },
        ...(req.body !== undefined ? { body: req.body } : {}),
      };
      // A GET sent on a kept-alive connection the seller had just closed (its idle timeout passed while we
      // parsed the last page or wrote it on) never reached it: sent once more, on a new connection.
      const res = await fetch(url, init).catch((e: unknown) => {
        if (req.method !== "GET" || !closedBeforeAnswer(e) || timeout.aborted || ctx.signal.aborted) throw e;
        return fetch(url, init);
      });
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      etag = res.headers.get("etag");
      body = await res.text();
    } catch (e) {
      if (timeout.aborted || (ctx.signal.aborted && remainingMs(ctx) <= 0)) {
        throw deadlineExceeded(`${this.sellerId} did not answer ${url.pathname} within ${budget} ms`);
      }
      if (ctx.signal.aborted) throw canceled(`the call to ${this.sellerId} was canceled`);
      throw unavailable(`${this.sellerId} could not be reached (${url.pathname}): ${describe(e)}`, e);
    }
    if (status === 429) {
      const waitMs = retryAfterMs(retryAfter);
      this.throttle.pause(waitMs);
      throw resourceExhausted(`${this.sellerId} throttled ${url.pathname} (429); retry after ${waitMs} ms`, waitMs);
    }
    if (status >= 500) throw unavailable(`${this.sellerId} answered ${url.pathname} with HTTP ${status}`);
    return { status, body, ...(etag ? { etag } : {}) };
  }
}

/** Retry-After as seconds or an HTTP date, in ms; a default when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null || header.trim() === "") return DEFAULT_RETRY_AFTER_MS;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.ceil(Number(header) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

/** undici's "other side closed": the connection ended before any answer came. */
function closedBeforeAnswer(e: unknown): boolean {
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === "UND_ERR_SOCKET";
}

function describe(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
  return `${e instanceof Error ? e.message : String(e)}${cause}`;
}
