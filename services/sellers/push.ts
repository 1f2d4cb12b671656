// A seller's push, as the webhook received it: check the signature (HMAC-
// SHA256 of the exact body bytes, hex, compared in constant time) before
// reading a byte of the body, then, once per push id, write what it carried.
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

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** True when `signatureHex` is the HMAC-SHA256 of `body` under `secret`. */
export function signatureMatches(secret: string, body: Uint8Array, signatureHex: string): boolean {
  const given = signatureHex.trim().replace(/^sha256=/i, "");
  if (!HEX_SHA256.test(given)) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}

/** The signature a seller would send (tests, and the sandbox's own use). */
export function sign(secret: string, body: Uint8Array | string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export interface PushRequest {
  body: Uint8Array;
  signature: string;
  pushId: string;
}

export interface PushReceiverDeps {
  ingestion: Ingestion;
  store: SellersStore;
  /** The shared secret of a seller's webhook. */
  secretOf: (sellerId: string) => string | undefined;
  now: () => Date;
}

export class PushReceiver {
  constructor(private readonly deps: PushReceiverDeps) {}

  async receive(ctx: Context, seller: SellerAdapter, req: PushRequest): Promise<PushOutcome> {
    const secret = this.deps.secretOf(seller.id);
    if (req.signature.trim() === "") throw unauthenticated(`the push carries no signature; ${seller.id} must sign it`);
    if (secret === undefined || !signatureMatches(secret, req.body, req.signature)) {
      throw permissionDenied(`the push signature does not match its body for seller ${seller.id}`);
    }
    const contents = this.decode(seller, req.body);
    const pushId = req.pushId || contents.pushId;
    if (pushId === "") throw invalidArgument("push_id: the push carries no push id", [
      { field: "push_id", rule: "required", description: "must not be empty (in the request or the body)" },
    ]);
    if (req.pushId !== "" && contents.pushId !== "" && req.pushId !== contents.pushId) {
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
