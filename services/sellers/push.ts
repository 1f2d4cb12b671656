// A seller's push, as the webhook received it: check the signature before
// reading a byte of the body, then, once per push id, write what it carried.
// The signature covers when it was made, the push id and the exact body
// bytes (`t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<push id>.<body>")>`,
// each seller its own key), so a captured push can neither be sent under
// another push id nor be replayed more than PUSH_TOLERANCE_SECONDS later.
// A replay of the same push id inside the window is answered as a duplicate
// and writes nothing: that is how a seller retries a push whose answer it
// lost, so it must stay harmless rather than be refused.
// Pushed fares tell which routes the seller sells (for live quotes: a fare
// without its route is placed by its flight number); pricing has no RPC that
// stores fares, so their prices are not written anywhere.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "../../endpoints/context.js";
import { invalidArgument, permissionDenied, unauthenticated } from "../../endpoints/errors.js";
import type { PushContents, SellerAdapter } from "./adapter.js";
import { SellerDataError } from "./adapters/fields.js";
import { hotelItem, routeItem, type Ingestion } from "./ingestion.js";
import type { PushOutcome, SellersStore } from "./store.js";

/** How far a push's signing time may be from our clock, either way. */
export const PUSH_TOLERANCE_SECONDS = 300;
const SIGNATURE = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

function mac(key: string, t: number, pushId: string, body: Uint8Array): Buffer {
  return createHmac("sha256", key).update(`${t}.${pushId}.`).update(body).digest();
}

/** The signature a seller sends with a push made at `t` (unix seconds): tests, and the scheme's one definition. */
export function signPush(key: string, pushId: string, body: Uint8Array | string, t: number): string {
  return `t=${t},v1=${mac(key, t, pushId, typeof body === "string" ? Buffer.from(body) : body).toString("hex")}`;
}

/** Refuses a push whose signature is missing, malformed, outside the window or not the seller's; says what to do. */
export function checkPushSignature(key: string | undefined, sellerId: string, req: PushRequest, nowSeconds: number): void {
  const header = req.signature.trim();
  if (header === "") throw unauthenticated(`the push carries no signature; ${sellerId} must sign it`);
  const parts = SIGNATURE.exec(header.replaceAll(" ", ""));
  if (!parts) throw unauthenticated(`the push signature must read t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<push id>.<body>">`);
  const t = Number(parts[1]);
  if (Math.abs(nowSeconds - t) > PUSH_TOLERANCE_SECONDS) {
    throw unauthenticated(`the push was signed more than ${PUSH_TOLERANCE_SECONDS} s from now; sign every delivery, retries too, at the time it is sent`);
  }
  if (key === undefined || !timingSafeEqual(mac(key, t, req.pushId, req.body), Buffer.from(parts[2]!, "hex"))) {
    throw permissionDenied(`the push signature does not match its time, push id and body for seller ${sellerId}`);
  }
}

export interface PushRequest {
  body: Uint8Array;
  signature: string;
  pushId: string;
}

export interface PushReceiverDeps {
  ingestion: Ingestion;
  store: SellersStore;
  /** Each seller's own webhook key (SELLERS_WEBHOOK_KEYS). */
  keys: ReadonlyMap<string, string>;
  now: () => Date;
}

export class PushReceiver {
  constructor(private readonly deps: PushReceiverDeps) {}

  async receive(ctx: Context, seller: SellerAdapter, req: PushRequest): Promise<PushOutcome> {
    checkPushSignature(this.deps.keys.get(seller.id), seller.id, req, Math.floor(this.deps.now().getTime() / 1000));
    const contents = this.decode(seller, req.body);
    const pushId = req.pushId;
    if (contents.pushId !== "" && pushId !== contents.pushId) {
      throw invalidArgument("push_id: differs from the push_id in the body", [
        { field: "push_id", rule: "match", description: "must equal the body's push_id" },
      ]);
    }
    const outcome = await this.deps.store.receivePush(seller.id, pushId, this.deps.now(), async (tx) => {
      const { ingestion } = this.deps;
      const written = await ingestion.writeListings(ctx, seller.id, contents.listings);
      const rates = await ingestion.writeRates(ctx, seller.id, contents.rates);
      const named = contents.fares.flatMap((f) => (f.route ? [{ flightNumber: f.flightNumber, ...f.route }] : []));
      await tx.recordFlightRoutes(named);
      const unnamed = contents.fares.filter((f) => !f.route).map((f) => f.flightNumber);
      const routes = [...named.map(({ origin, destination }) => ({ origin, destination })), ...(await tx.routesOf(unnamed))];
      await tx.recordCoverage(seller.id, [
        ...contents.listings.hotels.map((h) => hotelItem(h.hotelId)),
        ...contents.rates.map((r) => hotelItem(r.hotelId)),
        ...routes.map(routeItem),
      ]);
      await tx.recordArrival(seller.id, this.deps.now());
      return { listings: written.hotels + written.flights, rates };
    });
    ctx.log.info({ seller: seller.id, push_id: pushId, ...outcome }, outcome.duplicate ? "push replayed" : "push received");
    return outcome;
  }

  private decode(seller: SellerAdapter, body: Uint8Array): PushContents {
    try {
      return seller.parsePush!(body);
    } catch (e) {
      if (!(e instanceof SellerDataError)) throw e;
      throw invalidArgument(`body: ${e.message}`, [{ field: "body", rule: "format", description: e.message }]);
    }
  }
}
