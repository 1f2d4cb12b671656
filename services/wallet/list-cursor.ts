// ListTransactions' cursor in its page token (endpoints/page-tokens.ts signs
// it, bound to the customer and the currency asked for): the keyset of a
// page's last row, create time in microseconds and insertion sequence.
import type { CursorCodec } from "../../endpoints/page-tokens.js";
import type { TransactionCursor } from "./store.js";

/** The range a cursor the store hands out lies in: no transaction before 1970 or after 9999, a positive bigint sequence. */
const LAST_MICROS = 253_402_300_799_999_999n; // 9999-12-31T23:59:59.999999Z
const MAX_SEQ = 2n ** 63n - 1n;

export const transactionCursor: CursorCodec<TransactionCursor> = {
  write: (c) => `${c.createMicros}.${c.seq}`,
  read(text) {
    const m = /^(\d{1,18})\.(\d{1,19})$/.exec(text);
    if (!m) return undefined;
    const cursor = { createMicros: BigInt(m[1]!), seq: BigInt(m[2]!) };
    return cursor.createMicros <= LAST_MICROS && cursor.seq >= 1n && cursor.seq <= MAX_SEQ ? cursor : undefined;
  },
};
