// ListReservations' cursor in its page token (endpoints/page-tokens.ts signs
// it, bound to the customer): the insertion sequence of a page's last row.
import type { CursorCodec } from "../../endpoints/page-tokens.js";

export const reservationCursor: CursorCodec<bigint> = {
  write: (seq) => seq.toString(),
  read: (text) => (/^[1-9]\d{0,18}$/.test(text) ? BigInt(text) : undefined),
};
