// ListTransactions page tokens: an opaque, URL-safe encoding of the keyset
// cursor (create_time in microseconds, insertion sequence) of a page's last row.
import type { TransactionCursor } from "./store.js";

export function encodePageToken(cursor: TransactionCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createMicros.toString(), s: cursor.seq.toString() })).toString("base64url");
}

/** The range a cursor the store hands out lies in: no transaction before 1970 or after 9999, a positive bigint sequence. */
const LAST_MICROS = 253_402_300_799_999_999n; // 9999-12-31T23:59:59.999999Z
const MAX_SEQ = 2n ** 63n - 1n;

/**
 * The cursor in a token, or undefined when the token is not one this service
 * wrote — an edited token with a time PostgreSQL cannot hold (before 4713 BC)
 * would otherwise reach the query and fail there.
 */
export function decodePageToken(token: string): TransactionCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof value !== "object" || value === null) return undefined;
    const { t, s } = value as { t?: unknown; s?: unknown };
    if (typeof t !== "string" || !/^\d{1,18}$/.test(t) || typeof s !== "string" || !/^\d{1,19}$/.test(s)) return undefined;
    const cursor = { createMicros: BigInt(t), seq: BigInt(s) };
    return cursor.createMicros <= LAST_MICROS && cursor.seq >= 1n && cursor.seq <= MAX_SEQ ? cursor : undefined;
  } catch {
    return undefined;
  }
}
