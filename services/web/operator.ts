// The Operator page's API: sellers' health from sellers, bookings by state
// over time from booking, payments pending for longer than expected from
// payment, and the dead letters of every process that consumes events, each
// from its own DeadLetterService. Every call carries the signed-in PERSON's token (the
// Context's principal, forwarded by the client stack), never the BFF's own:
// sellers and each DeadLetterService check the operator role themselves, so
// a compromised BFF cannot list or replay dead letters on its own — it has
// no operator token to send. Booking and payment check the role alike. The contract (callers operator: true) already
// refuses a traveller here, before any call.
import type { Context } from "../../endpoints/context.js";
import { asKitError, invalidArgument } from "../../endpoints/errors.js";
import type { Service } from "../../endpoints/service.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import type { OperatorDeps } from "./deps.js";

type Operator = Pick<Service<typeof WebService>, 
  "listSellerHealth" | "listOperatorDeadLetters" | "replayOperatorDeadLetter" | "discardOperatorDeadLetter" | "getOperatorBookingStats" | "listOperatorPendingPayments"
>;

/** Per process, when the page does not say. */
export const DEFAULT_DEAD_LETTERS_PER_PROCESS = 50;
export const MAX_DEAD_LETTERS_PER_PROCESS = 100;

export function operatorPage(deps: OperatorDeps): Operator {
  const processes = Object.keys(deps.deadLetters).sort();
  const deadLettersOf = (process: string) => {
    const client = deps.deadLetters[process];
    if (!client) throw invalidArgument(`process: must be one of ${processes.join(", ")}`, [{ field: "process", rule: "in", description: `must be one of ${processes.join(", ")}` }]);
    return client;
  };

  return {
    async listSellerHealth(ctx) {
      return { sellers: (await deps.sellers.listSellers(ctx, {})).sellers };
    },

    async getOperatorBookingStats(ctx, req) {
      const res = await deps.booking.countReservationsByState(ctx, { windowHours: req.windowHours, bucketMinutes: req.bucketMinutes });
      return { buckets: res.buckets, bucketMinutes: res.bucketMinutes };
    },

    async listOperatorPendingPayments(ctx, req) {
      const res = await deps.payment.listPendingPayments(ctx, { olderThanSeconds: req.olderThanSeconds, pageSize: req.pageSize, pageToken: req.pageToken });
      return { payments: res.payments, nextPageToken: res.nextPageToken, olderThanSeconds: res.olderThanSeconds };
    },

    async listOperatorDeadLetters(ctx: Context, req) {
      const limit = req.limitPerProcess || DEFAULT_DEAD_LETTERS_PER_PROCESS;
      const answers = await Promise.all(
        processes.map(async (process) => {
          try {
            const res = await deadLettersOf(process).listDeadLetters(ctx, { limit });
            return { process, letters: res.deadLetters };
          } catch (e) {
            const error = asKitError(e);
            ctx.log.warn({ process, code: error.codeName, err: error.message }, "a process's dead letters could not be listed");
            return { process, letters: undefined };
          }
        }),
      );
      const deadLetters = answers
        .flatMap((a) => (a.letters ?? []).map((deadLetter) => ({ process: a.process, deadLetter })))
        .sort((a, b) => failedAt(a.deadLetter) - failedAt(b.deadLetter));
      return { deadLetters, unreachable: answers.filter((a) => a.letters === undefined).map((a) => a.process) };
    },

    async replayOperatorDeadLetter(ctx, req) {
      await deadLettersOf(req.process).replayDeadLetter(ctx, { group: req.group, messageId: req.messageId });
      ctx.log.info({ process: req.process, group: req.group, message_id: req.messageId.toString() }, "dead letter replayed by an operator");
      return {};
    },

    async discardOperatorDeadLetter(ctx, req) {
      await deadLettersOf(req.process).discardDeadLetter(ctx, { group: req.group, messageId: req.messageId });
      ctx.log.info({ process: req.process, group: req.group, message_id: req.messageId.toString() }, "dead letter discarded by an operator");
      return {};
    },
  };
}

function failedAt(d: { failTime?: { seconds: bigint; nanos: number } } | undefined): number {
  const t = d?.failTime;
  return t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : 0;
}
