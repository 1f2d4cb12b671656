// StartBooking: the price is asked of search again (prices.ts) and must be
// the one the page showed; then payment records the payment for the
// customer — called with the CUSTOMER's token (the Context's principal is
// forwarded), so the payment is theirs — and answers the gateway's card page.
// The browser comes back to WEB_PUBLIC_URL/trips/return.
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
import { formatMoney } from "./fields.js";
import { currentOffer } from "./prices.js";

export const RETURN_PATH = "/trips/return";

/** Payment's idempotency key for a customer's click: "web:" and 43 URL-safe characters. */
export function paymentKey(customerId: string, idempotencyKey: string): string {
  return `web:${createHash("sha256").update(`${customerId}\n${idempotencyKey}`).digest("base64url")}`;
}

export function booking(deps: WebServiceDeps, settings: WebSettings): Pick<Service<typeof WebService>, "startBooking"> {
  const returnUrl = new URL(RETURN_PATH, settings.publicUrl).toString();
  return {
    async startBooking(ctx, req) {
      const customerId = customerOf(ctx);
      const offer = await currentOffer(deps, ctx, req.item!);
      const shown = req.shownPrice!;
      if (shown.currency !== offer.currency || shown.amountMinor !== offer.price) {
        throw failedPrecondition(
          `The price has changed since it was shown: it is now ${formatMoney(offer.price, offer.currency)}. Please check the new price and book again.`,
        );
      }
      if (offer.price <= 0n) {
        throw failedPrecondition("Your wallet covers the whole price, and a booking paid by the wallet alone cannot be made yet.");
      }
      const money = (amountMinor: bigint) => ({ amountMinor, currency: offer.currency });
      const res = await deps.payment.makePayment(ctx, {
        idempotencyKey: paymentKey(customerId, req.idempotencyKey),
        item: offer.item,
        amount: money(offer.price),
        markdown: money(offer.markdown),
        returnUrl,
      });
      const paymentId = res.payment?.paymentId ?? "";
      ctx.log.info({ payment_id: paymentId }, "booking started");
      return { paymentId, redirectUrl: res.redirectUrl };
    },
  };
}
