// ListTransactions page tokens: an opaque, URL-safe encoding of the keyset
// cursor (create_time in microseconds, insertion sequence) of a page's last row.
import type { TransactionCursor } from "./store.js";

export function encodePageToken(cursor: TransactionCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createMicros.toString(), s: cursor.seq.toString() })).toString("base64url");
}

/** The cursor in a token, or undefined when the token is not one this service wrote. */
export function decodePageToken(token: string): TransactionCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof value !== "object" || value === null) return undefined;
    const { t, s } = value as { t?: unknown; s?: unknown };
    if (typeof t !== "string" || !/^-?\d{1,18}$/.test(t) || typeof s !== "string" || !/^\d{1,18}$/.test(s)) return undefined;
    return { createMicros: BigInt(t), seq: BigInt(s) };
  } catch {
    return undefined;
  }
}
