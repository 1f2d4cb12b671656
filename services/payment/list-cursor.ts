// The cursor of payment's lists in their page tokens (endpoints/page-tokens.ts
// signs them, each bound to its own list and request): the last payment of the
// previous page, by id — the next page starts after it (by create time, then id).
import type { CursorCodec } from "../../endpoints/page-tokens.js";
import { PAYMENT_ID } from "./validators.js";

export const paymentCursor: CursorCodec<string> = {
  write: (paymentId) => paymentId,
  read: (text) => (PAYMENT_ID.test(text) ? text : undefined),
};
