// Test stand-ins for the services booking calls: a wallet and a payment
// service that keep the real ones' promises that booking relies on — each
// command runs once per idempotency key (a repeat answers the first answer),
// a hold larger than the balance is FAILED_PRECONDITION, a settled hold
// cannot be settled the other way — and record every call with its key and
// the principal it came with.
import type { Context, Principal } from "../../endpoints/context.js";
import { failedPrecondition, notFound, unavailable, type KitError } from "../../endpoints/errors.js";
import { localClient, type Client, type Service } from "../../endpoints/service.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { HoldState, WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";

export interface FakeCall {
  method: string;
  key: string;
  principal: Principal | undefined;
  amountMinor?: bigint;
}

interface Hold {
  holdId: string;
  customerId: string;
  amountMinor: bigint;
  state: "held" | "captured" | "released";
}

export interface FakeWallet {
  client: Client<typeof WalletService>;
  /** The implementation, to serve over the wire. */
  service: Service<typeof WalletService>;
  /** Every call that reached the wallet, repeats included. */
  calls: FakeCall[];
  /** The commands that took effect, once per key: "hold:res_…", "capture:res_…", … */
  effects(): string[];
  holds(): Hold[];
  /** Available balance. */
  balance(customerId: string): bigint;
  setBalance(customerId: string, availableMinor: bigint): void;
  /** While set, every call fails with it (the wallet is down). */
  failure: KitError | undefined;
}

export function fakeWallet(): FakeWallet {
  const available = new Map<string, bigint>();
  const holds = new Map<string, Hold>();
  const done = new Map<string, unknown>();
  const effects: string[] = [];
  const calls: FakeCall[] = [];
  let nextHold = 0;
  const state = { failure: undefined as KitError | undefined };

  /** Runs `work` once per key; a repeat answers the stored response. A refusal is not stored (as in the real wallet): a retry may succeed. */
  async function once<T>(ctx: Context, method: string, key: string, work: () => T, amountMinor?: bigint): Promise<T> {
    calls.push({ method, key, principal: ctx.principal, ...(amountMinor !== undefined ? { amountMinor } : {}) });
    if (state.failure) throw state.failure;
    if (done.has(key)) return done.get(key) as T;
    const response = work();
    done.set(key, response);
    effects.push(key);
    return response;
  }

  const holdMessage = (h: Hold) => ({
    holdId: h.holdId,
    customerId: h.customerId,
    amount: { amountMinor: h.amountMinor, currency: "EUR" },
    state: { held: HoldState.HELD, captured: HoldState.CAPTURED, released: HoldState.RELEASED }[h.state],
  });

  function settle(holdId: string, to: "captured" | "released") {
    const h = holds.get(holdId);
    if (!h) throw notFound(`hold ${holdId} does not exist`);
    if (h.state !== "held") throw failedPrecondition(`hold ${holdId} was ${h.state} and cannot be ${to}`);
    h.state = to;
    if (to === "released") available.set(h.customerId, (available.get(h.customerId) ?? 0n) + h.amountMinor);
    return { hold: holdMessage(h) };
  }

  const impl: Service<typeof WalletService> = {
    async getBalance() {
      throw unavailable("not faked");
    },
    async listTransactions() {
      throw unavailable("not faked");
    },
    hold: (ctx, req) =>
      once(ctx, "Hold", req.idempotencyKey, () => {
        const amount = req.amount!.amountMinor;
        const balance = available.get(req.customerId) ?? 0n;
        if (balance < amount) throw failedPrecondition(`available balance ${balance} is less than the hold ${amount}`);
        available.set(req.customerId, balance - amount);
        const h: Hold = { holdId: `00000000-0000-4000-8000-${String(++nextHold).padStart(12, "0")}`, customerId: req.customerId, amountMinor: amount, state: "held" };
        holds.set(h.holdId, h);
        return { hold: holdMessage(h) };
      }, req.amount?.amountMinor),
    capture: (ctx, req) => once(ctx, "Capture", req.idempotencyKey, () => settle(req.holdId, "captured")),
    release: (ctx, req) => once(ctx, "Release", req.idempotencyKey, () => settle(req.holdId, "released")),
    credit: (ctx, req) =>
      once(ctx, "Credit", req.idempotencyKey, () => {
        available.set(req.customerId, (available.get(req.customerId) ?? 0n) + req.amount!.amountMinor);
        return {};
      }, req.amount?.amountMinor),
  };

  return {
    client: localClient(WalletService, impl),
    service: impl,
    calls,
    effects: () => [...effects],
    holds: () => [...holds.values()],
    balance: (customerId) => available.get(customerId) ?? 0n,
    setBalance: (customerId, amount) => void available.set(customerId, amount),
    get failure() {
      return state.failure;
    },
    set failure(e) {
      state.failure = e;
    },
  };
}

export interface FakeRefund {
  key: string;
  paymentId: string;
  amountMinor: bigint;
}

export interface FakePayment {
  client: Client<typeof PaymentService>;
  service: Service<typeof PaymentService>;
  calls: FakeCall[];
  /** The refunds made, once per key. */
  refunds(): FakeRefund[];
  failure: KitError | undefined;
}

export function fakePayment(): FakePayment {
  const calls: FakeCall[] = [];
  const refunds = new Map<string, FakeRefund>();
  const state = { failure: undefined as KitError | undefined };
  const impl: Service<typeof PaymentService> = {
    async makePayment() {
      throw unavailable("not faked");
    },
    async getPayment() {
      throw unavailable("not faked");
    },
    async listPayments() {
      throw unavailable("not faked");
    },
    async listPendingPayments() {
      throw unavailable("not faked");
    },
    async refund(ctx, req) {
      const amountMinor = req.amount!.amountMinor;
      calls.push({ method: "Refund", key: req.idempotencyKey, principal: ctx.principal, amountMinor });
      if (state.failure) throw state.failure;
      if (!refunds.has(req.idempotencyKey)) refunds.set(req.idempotencyKey, { key: req.idempotencyKey, paymentId: req.paymentId, amountMinor });
      return { refundId: `gr_${req.idempotencyKey}`, payment: { paymentId: req.paymentId } };
    },
  };
  return {
    client: localClient(PaymentService, impl),
    service: impl,
    calls,
    refunds: () => [...refunds.values()],
    get failure() {
      return state.failure;
    },
    set failure(e) {
      state.failure = e;
    },
  };
}
