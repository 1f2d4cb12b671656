// SearchHotels page tokens: the cursor of a page's last hotel (tier, score,
// hotel id) and a digest of the query it belongs to, base64url-encoded and
// signed with HMAC-SHA256. A token that was altered, forged, or written for
// another query does not decode, so a caller can neither jump to an arbitrary
// place in the ranking nor mix two searches.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { SearchCursor } from "./listings.js";

export interface PageTokens {
  encode(query: string, cursor: SearchCursor): string;
  /** The cursor in a token written by `encode` for the same query; undefined for anything else. */
  decode(query: string, token: string): SearchCursor | undefined;
}

const MAC_BYTES = 16;

/** Page tokens signed with `secret` (every instance of the service must share it). */
export function pageTokens(secret: string | Uint8Array): PageTokens {
  const mac = (payload: string) => createHmac("sha256", secret).update(payload).digest().subarray(0, MAC_BYTES);
  return {
    encode(query, cursor) {
      const payload = Buffer.from(
        JSON.stringify({ q: queryDigest(query), t: cursor.tier, s: cursor.score, h: cursor.hotelId }),
      ).toString("base64url");
      return `${payload}.${mac(payload).toString("base64url")}`;
    },
    decode(query, token) {
      const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
      if (!match) return undefined;
      const [, payload, signature] = match as unknown as [string, string, string];
      const given = Buffer.from(signature, "base64url");
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(payload))) return undefined;
      try {
        const value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
        const { q, t, s, h } = value;
        if (q !== queryDigest(query) || !Number.isSafeInteger(t) || !Number.isSafeInteger(s) || typeof h !== "string") return undefined;
        return { tier: t as number, score: s as number, hotelId: h };
      } catch {
        return undefined;
      }
    },
  };
}

/** The query as the ranking sees it (case and spacing do not matter), digested. */
function queryDigest(query: string): string {
  const normal = query.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase();
  return createHash("sha256").update(normal).digest("base64url").slice(0, 16);
}
