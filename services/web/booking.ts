// StartBooking: the page sends the quotes search answered for what it shows
// (a room's, a flight's, or a flight's and its return's) and whether the
// traveller chose the flexible option; never a price. The quotes are read
// here first (platform/quotes.ts quoteReader: unexpired, this customer's, one
// trip), so such a quote is refused in the customer's words before anything
// is recorded; then payment — which verifies search's MAC (the BFF holds no
// quote secret) and computes the amount itself — records the payment for the
// customer, called with the
// CUSTOMER's token (the Context's principal is forwarded), and answers the
// gateway's card page. The browser comes back to WEB_PUBLIC_URL/trips/return.
//
// Idempotency: the page makes one key per click; payment's key is derived
// from it and the customer id, so a retry of the same click answers the same
// payment and two customers' keys can never meet.
import { createHash } from "node:crypto";
import { failedPrecondition } from "../../endpoints/errors.js";
import { customerOf } from "../../endpoints/middleware/access.js";
import type { Service } from "../../endpoints/service.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import type { WebServiceDeps, WebSettings } from "./deps.js";

export const RETURN_PATH = "/trips/return";

/** Payment's idempotency key for a customer's click: "web:" and 43 URL-safe characters. */
export function paymentKey(customerId: string, idempotencyKey: string): string {
  return `web:${createHash("sha256").update(`${customerId}\n${idempotencyKey}`).digest("base64url")}`;
}

export function booking(deps: WebServiceDeps, settings: WebSettings): Pick<Service<typeof WebService>, "startBooking"> {
  const returnUrl = new URL(RETURN_PATH, settings.publicUrl).toString();
  const now = deps.now ?? Date.now;
  return {
    async startBooking(ctx, req) {
      const customerId = customerOf(ctx);
      const priced = deps.priceQuotes({ tokens: req.quotes, flexible: req.flexible, customerId, now: new Date(now()) });
      if (!priced.ok) throw failedPrecondition(priced.reason);
      const res = await deps.payment.makePayment(ctx, {
        idempotencyKey: paymentKey(customerId, req.idempotencyKey),
        quotes: req.quotes,
        flexible: req.flexible,
        returnUrl,
      });
      const paymentId = res.payment?.paymentId ?? "";
      ctx.log.info({ payment_id: paymentId, flexible: req.flexible }, "booking started");
      return { paymentId, redirectUrl: res.redirectUrl };
    },
  };
}
