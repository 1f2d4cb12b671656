// The wallet (itinera.wallet.v1.WalletService): loyalty balances in minor
// units, holds for pending bookings, capture, release and credit. Pure logic:
// the store runs each command in one transaction and makes it idempotent; this
// file decides what a command does and which rule it breaks.
import { createHash } from "node:crypto";
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  notFound,
} from "../../endpoints/errors.js";
import { requireOwnedBy } from "../../endpoints/middleware/access.js";
import { pageTokens } from "../../endpoints/page-tokens.js";
import type { Service } from "../../endpoints/service.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import {
  CaptureRequestSchema,
  CaptureResponseSchema,
  CreditRequestSchema,
  CreditResponseSchema,
  HoldRequestSchema,
  HoldResponseSchema,
  ReleaseRequestSchema,
  ReleaseResponseSchema,
  type WalletService,
} from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { balanceMessage, creditCause, holdMessage, transactionMessage, zeroBalance } from "./messages.js";
import { formatMoney } from "../../platform/money.js";
import { transactionCursor } from "./list-cursor.js";
import type { HoldRow, WalletStore, WalletTransaction } from "./store.js";

export interface WalletServiceDeps {
  store: WalletStore;
  /** Signs ListTransactions page tokens (WALLET_PAGE_TOKEN_SECRET): every wallet instance shares it. */
  pageTokenSecret: string;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const INT64_MAX = 2n ** 63n - 1n;

export function walletService(deps: WalletServiceDeps): Service<typeof WalletService> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const tokens = pageTokens({ secret: deps.pageTokenSecret, list: "ListTransactions", codec: transactionCursor, scopeIs: "customer and currency" });

  /**
   * Runs a command once per idempotency key: the response is stored as bytes,
   * so a replay answers exactly what the first call answered.
   */
  async function once<Req extends DescMessage, Res extends DescMessage>(
    method: string,
    requestSchema: Req,
    req: MessageShape<Req> & { idempotencyKey: string },
    responseSchema: Res,
    work: (tx: WalletTransaction) => Promise<MessageInitShape<Res>>,
  ): Promise<MessageShape<Res>> {
    const requestHash = createHash("sha256").update(toBinary(requestSchema, req)).digest();
    const outcome = await store.command({ idempotencyKey: req.idempotencyKey, method, requestHash }, async (tx) =>
      toBinary(responseSchema, create(responseSchema, await work(tx))),
    );
    if (outcome.status === "conflict") {
      throw alreadyExists(
        `idempotency key "${req.idempotencyKey}" was already used for a different ${outcome.method} request`,
      );
    }
    return fromBinary(responseSchema, outcome.response);
  }

  /** Settles a held hold: capture spends it, release gives it back to the available balance. */
  async function settle(tx: WalletTransaction, holdId: string, to: "captured" | "released") {
    const hold = await tx.lockHold(holdId);
    if (!hold) throw notFound(`hold ${holdId} does not exist`);
    if (hold.state !== "held") throw failedPrecondition(settledMessage(hold, to));
    const balance = await tx.lockBalance(hold.customerId, hold.currency);
    const after = await tx.updateBalance({
      ...balance,
      heldMinor: balance.heldMinor - hold.amountMinor,
      availableMinor: to === "released" ? balance.availableMinor + hold.amountMinor : balance.availableMinor,
    });
    const time = now();
    const settled = await tx.settleHold(hold.holdId, to, time);
    await tx.insertTransaction({
      customerId: hold.customerId,
      currency: hold.currency,
      kind: to === "captured" ? "capture" : "release",
      amountMinor: hold.amountMinor,
      holdId: hold.holdId,
      reference: hold.reference,
      availableAfterMinor: after.availableMinor,
      createTime: time,
    });
    return { hold: holdMessage(settled), balance: balanceMessage(after) };
  }

  /** What a customer hears about a wallet that is not theirs: the same as about one that does not exist. */
  const noWallet = (customerId: string) => `customer ${customerId} has no wallet`;

  return {
    async getBalance(ctx, req) {
      requireOwnedBy(ctx, req.customerId, noWallet(req.customerId));
      const balance = await store.balance(req.customerId, req.currency);
      return { balance: balance ? balanceMessage(balance) : zeroBalance(req.customerId, req.currency) };
    },

    credit: (_ctx, req) =>
      once("Credit", CreditRequestSchema, req, CreditResponseSchema, async (tx) => {
        const amount = positiveAmount(req.amount);
        const reason = creditCause(req.reason);
        if (!reason) throw invalidArgument("reason: must be CASHBACK, REFUND or PROMOTION", [
          { field: "reason", rule: "enum_defined", description: "must be CASHBACK, REFUND or PROMOTION" },
        ]);
        const balance = await tx.lockBalance(req.customerId, amount.currency);
        const available = balance.availableMinor + amount.amountMinor;
        if (available + balance.heldMinor > INT64_MAX) {
          throw failedPrecondition(`the credit would take the balance past the largest amount a wallet can hold`);
        }
        const after = await tx.updateBalance({ ...balance, availableMinor: available });
        const transaction = await tx.insertTransaction({
          customerId: req.customerId,
          currency: amount.currency,
          kind: "credit",
          amountMinor: amount.amountMinor,
          reference: req.reference,
          reason,
          availableAfterMinor: after.availableMinor,
          createTime: now(),
        });
        return { transaction: transactionMessage(transaction), balance: balanceMessage(after) };
      }),

    hold: (_ctx, req) =>
      once("Hold", HoldRequestSchema, req, HoldResponseSchema, async (tx) => {
        const amount = positiveAmount(req.amount);
        const balance = await tx.lockBalance(req.customerId, amount.currency);
        if (balance.availableMinor < amount.amountMinor) {
          throw failedPrecondition(
            `available balance ${formatMoney(balance.availableMinor, amount.currency)} is less than the hold ${formatMoney(amount.amountMinor, amount.currency)}`,
          );
        }
        const time = now();
        const hold = await tx.insertHold({
          customerId: req.customerId,
          currency: amount.currency,
          amountMinor: amount.amountMinor,
          reference: req.reference,
          createTime: time,
        });
        const after = await tx.updateBalance({
          ...balance,
          availableMinor: balance.availableMinor - amount.amountMinor,
          heldMinor: balance.heldMinor + amount.amountMinor,
        });
        await tx.insertTransaction({
          customerId: req.customerId,
          currency: amount.currency,
          kind: "hold",
          amountMinor: amount.amountMinor,
          holdId: hold.holdId,
          reference: req.reference,
          availableAfterMinor: after.availableMinor,
          createTime: time,
        });
        return { hold: holdMessage(hold), balance: balanceMessage(after) };
      }),

    capture: (_ctx, req) =>
      once("Capture", CaptureRequestSchema, req, CaptureResponseSchema, (tx) => settle(tx, req.holdId, "captured")),

    release: (_ctx, req) =>
      once("Release", ReleaseRequestSchema, req, ReleaseResponseSchema, (tx) => settle(tx, req.holdId, "released")),

    async listTransactions(ctx, req) {
      requireOwnedBy(ctx, req.customerId, noWallet(req.customerId));
      const size = Math.min(req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const scope = [req.customerId, req.currency];
      const after = tokens.start(scope, req.pageToken);
      const rows = await store.transactions({
        customerId: req.customerId,
        ...(req.currency !== "" ? { currency: req.currency } : {}),
        limit: size + 1,
        ...(after ? { after } : {}),
      });
      const page = rows.slice(0, size);
      const last = page[page.length - 1];
      return {
        transactions: page.map(transactionMessage),
        nextPageToken: rows.length > size && last ? tokens.encode(scope, last) : "",
      };
    },
  };
}

/** The validators reject these first; repeated here so a direct call cannot write nonsense. */
function positiveAmount(amount: Money | undefined): Money {
  if (!amount) {
    throw invalidArgument("amount: is required", [{ field: "amount", rule: "required", description: "is required" }]);
  }
  if (amount.amountMinor <= 0n) {
    const description = "must be greater than 0";
    throw invalidArgument(`amount.amount_minor: ${description}`, [{ field: "amount.amount_minor", rule: "gt_zero", description }]);
  }
  return amount;
}

function settledMessage(hold: HoldRow, wanted: "captured" | "released"): string {
  if (hold.state === wanted) return `hold ${hold.holdId} is already ${wanted}`;
  return `hold ${hold.holdId} was ${hold.state} and cannot be ${wanted}`;
}
