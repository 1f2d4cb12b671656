// ListReservations page tokens: the keyset cursor (the last row's insertion
// sequence) and the customer it was written for, URL-safe, with an HMAC so
// that a token someone edited — or one written for another customer — is
// refused as not ours instead of being read as some other position.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface PageTokens {
  encode(customerId: string, beforeSeq: bigint): string;
  /** The cursor, or undefined when the token is not one this service wrote for this customer. */
  decode(customerId: string, token: string): bigint | undefined;
}

/** The secret signs tokens; every instance of the service must share it (BOOKING_PAGE_TOKEN_SECRET). */
export function pageTokens(secret: string): PageTokens {
  const mac = (customerId: string, seq: string) =>
    createHmac("sha256", secret).update(`${customerId}\n${seq}`).digest().subarray(0, 16);
  return {
    encode(customerId, beforeSeq) {
      const seq = beforeSeq.toString();
      return `${Buffer.from(seq).toString("base64url")}.${mac(customerId, seq).toString("base64url")}`;
    },
    decode(customerId, token) {
      const m = /^([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{22})$/.exec(token);
      if (!m) return undefined;
      const seq = Buffer.from(m[1]!, "base64url").toString("utf8");
      if (!/^[1-9]\d{0,18}$/.test(seq)) return undefined;
      const sent = Buffer.from(m[2]!, "base64url");
      const expected = mac(customerId, seq);
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) return undefined;
      return BigInt(seq);
    },
  };
}
