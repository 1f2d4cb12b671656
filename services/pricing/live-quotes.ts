// Live hotel quotes within a budget: sellers.QuoteHotelStay for each hotel,
// a few at a time, until every hotel has answered or the budget (or the
// caller's deadline) is spent. Whatever answered by then is used; a hotel
// whose quote failed or is still running is simply left out, and the calls
// still running are cancelled.
import { derive, type Context } from "../../endpoints/context.js";
import { asKitError } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import type { QuoteHotelStayResponse, SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { dateMessage, type IsoDate } from "./dates.js";

export interface LiveQuoteOptions {
  budgetMs: number;
  /** Quotes in flight at once. */
  concurrency: number;
  /** Time kept back from the caller's deadline to answer it. */
  marginMs: number;
}

export async function quoteStays(
  ctx: Context,
  sellers: Client<typeof SellersService>,
  hotelIds: readonly string[],
  checkIn: IsoDate,
  checkOut: IsoDate,
  opts: LiveQuoteOptions,
): Promise<Map<string, QuoteHotelStayResponse>> {
  const now = Date.now();
  const deadline = Math.min(now + opts.budgetMs, (ctx.deadline ?? Infinity) - opts.marginMs);
  const answered = new Map<string, QuoteHotelStayResponse>();
  if (hotelIds.length === 0 || deadline <= now || ctx.signal.aborted) return answered;

  // One controller for the budget and the caller's cancellation alike.
  const stop = new AbortController();
  const forward = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", forward, { once: true });
  const timer = setTimeout(() => stop.abort(new Error("live quote budget spent")), deadline - now);
  const quoteCtx = derive(ctx, { deadline, signal: stop.signal });
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve(), { once: true }));

  const queue = [...hotelIds];
  const worker = async () => {
    for (let hotelId = queue.shift(); hotelId !== undefined && !stop.signal.aborted; hotelId = queue.shift()) {
      try {
        const quote = await sellers.quoteHotelStay(quoteCtx, {
          hotelId,
          checkIn: dateMessage(checkIn),
          checkOut: dateMessage(checkOut),
        });
        if (!stop.signal.aborted) answered.set(hotelId, quote);
      } catch (e) {
        if (!stop.signal.aborted) {
          const err = asKitError(e);
          ctx.log.warn({ hotel_id: hotelId, code: err.codeName, err: err.message }, "live hotel quote failed");
        }
      }
    }
  };
  try {
    await Promise.race([Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker)), stopped]);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", forward);
    stop.abort(new Error("live quotes done"));
  }
  return new Map(answered);
}
