// The Context a bus handler runs in, on either engine: the publisher's
// request_id and trace (from the message's headers) continue, and the log
// names the message, its key and the attempt.
import type { Logger } from "pino";
import { backgroundContext, derive, parseTraceparent, type Context } from "../../endpoints/context.js";

export interface DeliveryHeaders {
  request_id?: string | undefined;
  traceparent?: string | undefined;
}

export function deliveryContext(log: Logger, headers: DeliveryHeaders, delivery: { messageId: bigint; key: string; attempt: number }): Context {
  const base = backgroundContext({ log, requestId: headers.request_id || undefined });
  return derive(base, {
    trace: parseTraceparent(headers.traceparent),
    log: base.log.child({ message_id: String(delivery.messageId), key: delivery.key, attempt: delivery.attempt }),
  });
}
