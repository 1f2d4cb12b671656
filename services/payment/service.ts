// Payment (itinera.payment.v1.PaymentService): payments in flight between a
// customer and the card gateway. Pure logic: the store makes each command
// idempotent, the gateway is an injected GatewayClient. The gateway's
// decisions arrive through callbacks.ts, not through these RPCs.
//
// MakePayment records the payment PENDING, then opens the gateway's session
// outside any transaction and stores its card page with the response. If the
// gateway fails, the call answers UNAVAILABLE and the payment stays PENDING
// without a session: a retry with the same key opens (or, since the gateway
// is idempotent by merchant_ref = payment id, gets) the session.
import { createHash, randomUUID } from "node:crypto";
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { traceparent, type Context } from "../../endpoints/context.js";
import { alreadyExists, Code, failedPrecondition, invalidArgument, KitError, notFound, unavailable } from "../../endpoints/errors.js";
import { customerOf } from "../../endpoints/middleware/access.js";
import type { Service } from "../../endpoints/service.js";
import {
  MakePaymentRequestSchema,
  MakePaymentResponseSchema,
  RefundRequestSchema,
  RefundResponseSchema,
  type PaymentService,
} from "../../gen/itinera/payment/v1/payment_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import type { GatewayClient, OpenedSession } from "./gateway.js";
import { listing } from "./listing.js";
import { pendingPayments } from "./pending.js";
import { paymentMessage } from "./messages.js";
import { formatMoney } from "../../platform/money.js";
import type { Priced, PriceRequest } from "../../platform/quotes.js";
import type { BeginOutcome, CommandKey, PaymentRow, PaymentStore } from "./store.js";
import { assertValid, PAYMENT_ID, paymentValidators, type PaymentValidatorOptions } from "./validators.js";

export interface PaymentServiceDeps {
  store: PaymentStore;
  gateway: GatewayClient;
  /** Where the gateway POSTs its decisions: "<PAYMENT_PUBLIC_URL>/callbacks/gateway". */
  callbackUrl: string;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  /** New payment ids; default "pay_" and 32 random hex digits. */
  newPaymentId?: () => string;
  /** Verifies search's quotes and prices them (platform/quotes.ts quoteVerifier with QUOTE_SECRET). */
  priceQuotes: (req: PriceRequest) => Priced;
  /** Signs ListPayments' and ListPendingPayments' page tokens (PAYMENT_PAGE_TOKEN_SECRET): every payment instance shares it. */
  pageTokenSecret: string;
  /** ListPendingPayments' default threshold: half of PAYMENT_EXPIRE_MS (main.ts); default 7.5 min. */
  pendingAfterMs?: number;
  /** What the validators accept (the return URLs' origins). */
  validation?: PaymentValidatorOptions;
}

export function newPaymentId(): string {
  return `pay_${randomUUID().replaceAll("-", "")}`;
}

export function paymentService(deps: PaymentServiceDeps): Service<typeof PaymentService> {
  const { store, gateway } = deps;
  const now = deps.now ?? (() => new Date());
  const nextId = deps.newPaymentId ?? newPaymentId;
  const validators = paymentValidators(deps.validation);

  function commandKey<D extends DescMessage>(scope: string, method: string, schema: D, req: MessageShape<D> & { idempotencyKey: string }): CommandKey {
    const requestHash = createHash("sha256").update(toBinary(schema, req)).digest();
    return { scope, idempotencyKey: req.idempotencyKey, method, requestHash };
  }

  function conflict(key: CommandKey, outcome: Extract<BeginOutcome, { status: "conflict" }>): KitError {
    return alreadyExists(`idempotency key "${key.idempotencyKey}" was already used for a different ${outcome.method} request`);
  }

  /** The gateway's session for a payment: the one it has, or a new one (same answer for the same payment id). */
  async function sessionOf(ctx: Context, p: PaymentRow): Promise<OpenedSession> {
    if (p.sessionId && p.redirectUrl) return { sessionId: p.sessionId, cardPageUrl: p.redirectUrl };
    if (p.state !== "pending") {
      throw failedPrecondition(`payment ${p.paymentId} is ${p.state}: the gateway never opened it; start a new payment with a new idempotency key`);
    }
    const item = fromBinary(ItemSchema, p.item);
    try {
      return await gateway.openSession(ctx, {
        merchantRef: p.paymentId,
        amountMinor: p.amountMinor,
        currency: p.currency,
        description: item.title || "Itinera booking",
        callbackUrl: deps.callbackUrl,
        returnUrl: p.returnUrl,
      });
    } catch (e) {
      ctx.log.warn({ payment_id: p.paymentId, err: e instanceof Error ? e.message : String(e) }, "gateway session not opened");
      throw unavailable("the payment gateway is not answering: try again with the same idempotency key", e);
    }
  }

  return {
    async makePayment(ctx, req) {
      const customerId = customerOf(ctx);
      assertValid(validators.makePayment, req);
      const key = commandKey(`customer:${customerId}`, "MakePayment", MakePaymentRequestSchema, req);
      // The price is the quotes', verified now: the caller chooses nothing but the flexible option.
      // A retry of a payment already recorded answers it even after its quotes expired (store.begin replays).
      const priced = deps.priceQuotes({ tokens: req.quotes, flexible: req.flexible, customerId, now: now() });
      const begun = await store.begin(key, async (tx) => {
        if (!priced.ok) throw failedPrecondition(priced.reason);
        const { charge } = priced;
        const p = await tx.insertPayment({
          paymentId: nextId(),
          customerId,
          item: toBinary(ItemSchema, create(ItemSchema, charge.item)),
          currency: charge.currency,
          amountMinor: charge.cardMinor,
          markdownMinor: charge.markdownMinor,
          returnUrl: req.returnUrl,
          traceparent: ctx.trace ? traceparent(ctx.trace) : null,
          createTime: now(),
        });
        ctx.log.info({ payment_id: p.paymentId, flexible: req.flexible }, "payment recorded");
        return p.paymentId;
      });
      if (begun.status === "conflict") throw conflict(key, begun);
      if (begun.status === "replayed") return fromBinary(MakePaymentResponseSchema, begun.response);

      const pending = await store.payment(begun.paymentId);
      if (!pending) throw new Error(`payment ${begun.paymentId} of a begun command does not exist`);
      const session = await sessionOf(ctx, pending);
      const response = await store.finish(key, async (tx) => {
        let p = (await tx.lockPayment(pending.paymentId))!;
        if (!p.sessionId) {
          // The sweep may have expired it while the gateway answered: the customer never saw the card page.
          if (p.state !== "pending") throw failedPrecondition(`payment ${p.paymentId} expired before the gateway answered; start a new payment`);
          p = await tx.setSession(p.paymentId, session.sessionId, session.cardPageUrl, now());
        }
        const payment = paymentMessage(p);
        return toBinary(MakePaymentResponseSchema, create(MakePaymentResponseSchema, { payment, redirectUrl: p.redirectUrl! }));
      });
      return fromBinary(MakePaymentResponseSchema, response);
    },

    async getPayment(ctx, req) {
      // An id that cannot be a payment's needs no query (the validators refuse it first).
      const p = PAYMENT_ID.test(req.paymentId) ? await store.payment(req.paymentId) : undefined;
      // Another customer's payment and a missing one look the same: ids are not to be probed.
      if (!p || (ctx.principal?.kind !== "service" && p.customerId !== customerOf(ctx))) {
        throw notFound(`payment ${req.paymentId} does not exist`);
      }
      return { payment: paymentMessage(p) };
    },

    ...listing(store, validators, deps.pageTokenSecret),
    ...pendingPayments({ store, pendingAfterMs: deps.pendingAfterMs ?? 7.5 * 60_000, pageTokenSecret: deps.pageTokenSecret, now }),

    async refund(ctx, req) {
      assertValid(validators.refund, req);
      const amount = req.amount!;
      const key = commandKey("refund", "Refund", RefundRequestSchema, req);
      const begun = await store.begin(key, async (tx) => {
        const p = await tx.lockPayment(req.paymentId);
        if (!p) throw notFound(`payment ${req.paymentId} does not exist`);
        if (p.state !== "authorised") throw failedPrecondition(`payment ${p.paymentId} is ${p.state}: only an authorised payment can be refunded`);
        if (amount.currency !== p.currency) {
          const description = `must be the payment's currency, ${p.currency}`;
          throw invalidArgument(`amount.currency: ${description}`, [{ field: "amount.currency", rule: "same_currency", description }]);
        }
        const left = p.amountMinor - p.refundedMinor;
        if (amount.amountMinor > left) {
          throw failedPrecondition(
            `the refund ${formatMoney(amount.amountMinor, p.currency)} exceeds what is left to refund on payment ${p.paymentId}, ${formatMoney(left, p.currency)}`,
          );
        }
        return p.paymentId;
      });
      if (begun.status === "conflict") throw conflict(key, begun);
      if (begun.status === "replayed") return fromBinary(RefundResponseSchema, begun.response);

      const p = (await store.payment(begun.paymentId))!;
      if (!p.sessionId) throw new Error(`authorised payment ${p.paymentId} has no gateway session`);
      let refund;
      try {
        refund = await gateway.refund(ctx, { idempotencyKey: req.idempotencyKey, sessionId: p.sessionId, amountMinor: amount.amountMinor });
      } catch (e) {
        if (e instanceof KitError && e.code === Code.FailedPrecondition) throw e;
        ctx.log.warn({ payment_id: p.paymentId, err: e instanceof Error ? e.message : String(e) }, "gateway refund failed");
        throw unavailable("the payment gateway is not answering: try the refund again with the same idempotency key", e);
      }
      const response = await store.finish(key, async (tx) => {
        const after = await tx.recordRefund({
          idempotencyKey: req.idempotencyKey,
          paymentId: p.paymentId,
          refundId: refund.refundId,
          amountMinor: amount.amountMinor,
          reason: req.reason,
          createTime: now(),
        });
        ctx.log.info({ payment_id: p.paymentId, refund_id: refund.refundId }, "payment refunded");
        return toBinary(RefundResponseSchema, create(RefundResponseSchema, { payment: paymentMessage(after), refundId: refund.refundId }));
      });
      return fromBinary(RefundResponseSchema, response);
    },
  };
}

