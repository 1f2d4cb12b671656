// Wanderly's pushes to our webhook: a snapshot of everything it sells on start
// (listings with their rates, then fares, in batches), then every interval a
// batch of changed prices. Each push is JSON with its id in
// X-Wanderly-Push-Id, signed with X-Wanderly-Signature:
// t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<push id>.<body>")> — made
// afresh for every delivery, as the receiver refuses signatures older than
// five minutes. A failed POST (network error, 5xx, 408, 429) is retried with
// exponential backoff, byte for byte the same body and push id; every `duplicateEvery`-th delivered push is sent a second time,
// as real push sellers do, so receivers must be idempotent on push_id.
import { createHmac, randomUUID } from "node:crypto";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { SellerAdmin } from "./admin.js";
import { windowDays, type Flight, type Hotel, type Inventory } from "./inventory.js";
import { productId, type WanderlyOffer } from "./wanderly-offer.js";

export interface PushOptions {
  webhookUrl: string;
  secret: string;
  /** 0: only the start snapshot and push-now. */
  intervalMs: number;
  /** 0: never send a push twice on purpose. */
  duplicateEvery: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts per push before it is dropped. */
  maxAttempts: number;
  batchHotels: number;
  batchFlights: number;
  timeoutMs: number;
  /** The clock signatures are dated with (ms); tests pass the receiver's. */
  now: () => number;
}

interface QueuedPush {
  pushId: string;
  listings: Hotel[];
  rateHotels: Hotel[];
  fareFlights: Flight[];
  withAliases: boolean;
  body?: string;
}

/** The X-Wanderly-Signature of a push made at `t` (unix seconds). */
export function signature(secret: string, pushId: string, body: string, t: number): string {
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${pushId}.${body}`).digest("hex")}`;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** POSTs JSON; resolves the status code, or 0 on a network error or timeout. */
function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: "POST",
      agent: false,
      signal,
      timeout: timeoutMs,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve(0));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

const retryable = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

export class WanderlyPusher {
  private readonly queue: QueuedPush[] = [];
  private readonly closing = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private delivered = 0;
  private tick = 0;

  constructor(
    private readonly inv: Inventory,
    private readonly offer: WanderlyOffer,
    private readonly admin: SellerAdmin,
    private readonly opts: PushOptions,
    private readonly log: Logger,
    /** Where its pushes say its photos are: the seller's own URL, known once it listens. */
    private readonly imageOrigin: () => string,
  ) {}

  /** Queues the snapshot (unless told not to) and starts the interval. */
  start(snapshot = true): void {
    if (snapshot) this.pushNow("snapshot");
    if (this.opts.intervalMs > 0) this.timer = setInterval(() => this.pushNow("changes"), this.opts.intervalMs);
  }

  /** Queues a snapshot (everything) or a batch of changes; returns how many pushes were queued. */
  pushNow(kind: "snapshot" | "changes"): number {
    let queued = 0;
    const enqueue = (listings: Hotel[], rateHotels: Hotel[], fareFlights: Flight[], withAliases: boolean) => {
      this.queue.push({ pushId: randomUUID(), listings, rateHotels, fareFlights, withAliases });
      queued++;
    };
    if (kind === "snapshot") {
      for (const hotels of chunks(this.offer.hotels, this.opts.batchHotels)) enqueue(hotels, hotels, [], true);
      for (const flights of chunks(this.offer.flights, this.opts.batchFlights)) enqueue([], [], flights, false);
    } else {
      const { hotels, flights } = this.offer.revise(++this.tick);
      enqueue([], hotels, flights, false);
    }
    this.drain();
    return queued;
  }

  /** Pushes queued or being delivered (GET /admin/pushes): 0 once everything queued was delivered or dropped. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when every queued push was delivered or dropped. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  close(): void {
    clearInterval(this.timer);
    this.closing.abort();
    this.queue.length = 0;
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      while (this.queue.length > 0 && !this.closing.signal.aborted) {
        await this.deliver(this.queue[0]!);
        this.queue.shift();
      }
    })();
    void this.draining.finally(() => {
      this.draining = undefined;
      // A push queued while the loop was finishing.
      if (this.queue.length > 0 && !this.closing.signal.aborted) this.drain();
    });
  }

  private render(p: QueuedPush): string {
    const first = this.inv.todayDay;
    const last = first + this.inv.days;
    const aliases = p.withAliases
      ? Object.fromEntries(
          [...new Set(p.listings.map((h) => h.cityId))].map((id) => [id, this.inv.cityById.get(id)!.aliases]),
        )
      : {};
    return JSON.stringify({
      push_id: p.pushId,
      sent_at: new Date().toISOString(),
      listings: p.listings.map((h) => this.listing(h)),
      city_aliases: aliases,
      rates: p.rateHotels.flatMap((h) => this.offer.hotelRates(h, first, last)),
      fares: p.fareFlights.flatMap((f) => windowDays(this.inv).flatMap((day) => this.offer.flightFares(f, day))),
    });
  }

  private listing(h: Hotel) {
    const city = this.inv.cityById.get(h.cityId)!;
    return {
      code: h.code,
      name: h.name,
      city: { id: city.id, name: city.name },
      country: { code: city.countryCode, name: city.countryName },
      stars: h.stars,
      address: h.address,
      amenities: h.amenities,
      images: h.imagePaths.map((path) => this.imageOrigin() + path),
      rooms: h.rooms.map((r) => ({
        code: r.code,
        name: r.name,
        occupancy: r.occupancy,
        amenities: r.amenities,
        product: productId(h.code, r.code),
      })),
    };
  }

  private async deliver(p: QueuedPush): Promise<void> {
    const { opts, admin, closing } = this;
    for (let attempt = 1; !closing.signal.aborted; ) {
      if (admin.mode === "down") {
        // A seller that is down does not push either; it resumes when it is back.
        if (!(await this.pause(opts.retryBaseMs))) return;
        continue;
      }
      p.body ??= this.render(p);
      const headers = { "x-wanderly-push-id": p.pushId, "x-wanderly-signature": signature(opts.secret, p.pushId, p.body, Math.floor(opts.now() / 1000)) };
      const status = await post(opts.webhookUrl, p.body, headers, opts.timeoutMs, closing.signal);
      if (status >= 200 && status < 300) {
        admin.count("pushes_sent");
        this.delivered++;
        if (opts.duplicateEvery > 0 && this.delivered % opts.duplicateEvery === 0) {
          admin.count("duplicates_sent");
          await post(opts.webhookUrl, p.body, headers, opts.timeoutMs, closing.signal);
        }
        return;
      }
      admin.count("push_failures");
      if (!retryable(status) || attempt >= opts.maxAttempts) {
        this.log.warn({ pushId: p.pushId, status, attempt }, "wanderly push dropped");
        return;
      }
      this.log.info({ pushId: p.pushId, status, attempt }, "wanderly push failed; retrying");
      if (!(await this.pause(Math.min(opts.retryMaxMs, opts.retryBaseMs * 2 ** (attempt - 1))))) return;
      attempt++;
    }
  }

  /** Waits; false when the pusher closed meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.closing.signal });
      return true;
    } catch {
      return false;
    }
  }
}
