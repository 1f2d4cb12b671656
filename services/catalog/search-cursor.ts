// SearchHotels' cursor in its page token (endpoints/page-tokens.ts signs it):
// the last hotel of a page by its place in the ranking (tier, score, hotel id),
// bound to the query as the ranking sees it — case and spacing do not matter.
import type { CursorCodec, Scope } from "../../endpoints/page-tokens.js";
import type { SearchCursor } from "./listings.js";

export const searchCursor: CursorCodec<SearchCursor> = {
  write: (c) => JSON.stringify({ t: c.tier, s: c.score, h: c.hotelId }),
  read(text) {
    try {
      const { t, s, h } = JSON.parse(text) as Record<string, unknown>;
      if (!Number.isSafeInteger(t) || !Number.isSafeInteger(s) || typeof h !== "string") return undefined;
      return { tier: t as number, score: s as number, hotelId: h };
    } catch {
      return undefined;
    }
  },
};

/** The scope of a search's tokens: its query, normalised. */
export const searchScope = (query: string): Scope => [query.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase()];
