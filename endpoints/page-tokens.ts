// Page tokens, for every list method: the next page's cursor (a few ids and
// numbers, written as text by the method's own codec), base64url, and an
// HMAC-SHA256 (truncated to 128 bits, compared in constant time) over the
// list method, the request's scope (the caller, the query, the filter) and
// the cursor. A token that was altered, forged, written by another list
// method or for another scope does not decode, so a caller can neither jump
// to an arbitrary place in a listing nor page through someone else's.
// The secret must be shared by every replica of the service (its
// <SERVICE>_PAGE_TOKEN_SECRET).
import { createHmac, timingSafeEqual } from "node:crypto";
import { invalidArgument } from "./errors.js";

/** A list method's cursor as text and back; `read` answers undefined for text outside the range its store hands out. */
export interface CursorCodec<C> {
  write(cursor: C): string;
  read(text: string): C | undefined;
}

/** What a token is bound to besides its list method: the caller, the query, the filter (in a fixed order). */
export type Scope = readonly string[];

export interface PageTokens<C> {
  encode(scope: Scope, cursor: C): string;
  /** The cursor of a token `encode` wrote for the same scope; undefined for anything else. */
  decode(scope: Scope, token: string): C | undefined;
  /**
   * Where a request's page starts: undefined for an empty page_token (the
   * first page), else its cursor, else INVALID_ARGUMENT naming page_token.
   */
  start(scope: Scope, pageToken: string): C | undefined;
}

export interface PageTokenOptions<C> {
  /** The secret every replica of the service shares. */
  secret: string;
  /** The list method ("ListPayments"): a token of one method is no token of another. */
  list: string;
  codec: CursorCodec<C>;
  /** What the scope is, for the refusal: "customer and states". */
  scopeIs: string;
}

const MAC_BYTES = 16;
/** 16 bytes in base64url, unpadded. */
const MAC_CHARS = 22;
/** The longest cursor text a token carries: every cursor is far shorter, so a longer token is refused unread. */
export const MAX_CURSOR_BYTES = 512;
const PAYLOAD_CHARS = Math.ceil((MAX_CURSOR_BYTES * 4) / 3);
const TOKEN = new RegExp(`^([A-Za-z0-9_-]{1,${PAYLOAD_CHARS}})\\.([A-Za-z0-9_-]{${MAC_CHARS}})$`);

export function pageTokens<C>(options: PageTokenOptions<C>): PageTokens<C> {
  const { secret, list, codec, scopeIs } = options;
  if (secret === "") throw new Error(`${list} page tokens need a secret shared by every replica of the service`);
  // JSON keeps the parts apart: no scope and cursor run into another pair.
  const mac = (scope: Scope, payload: string) =>
    createHmac("sha256", secret).update(JSON.stringify([list, scope, payload])).digest().subarray(0, MAC_BYTES).toString("base64url");
  const decode = (scope: Scope, token: string): C | undefined => {
    const match = TOKEN.exec(token);
    if (!match) return undefined;
    const [, payload, signature] = match as unknown as [string, string, string];
    // The MAC covers the payload's text and is compared as text: another spelling of the same bytes is no token either.
    if (!timingSafeEqual(Buffer.from(signature), Buffer.from(mac(scope, payload)))) return undefined;
    return codec.read(Buffer.from(payload, "base64url").toString("utf8"));
  };
  return {
    encode(scope, cursor) {
      const text = codec.write(cursor);
      if (Buffer.byteLength(text) > MAX_CURSOR_BYTES) throw new Error(`${list} cursor is over ${MAX_CURSOR_BYTES} bytes: keep cursors to ids and numbers`);
      const payload = Buffer.from(text).toString("base64url");
      return `${payload}.${mac(scope, payload)}`;
    },
    decode,
    start(scope, pageToken) {
      if (pageToken === "") return undefined;
      const cursor = decode(scope, pageToken);
      if (cursor !== undefined) return cursor;
      const description = `is not a page token from a previous response for the same ${scopeIs}: leave it empty for the first page`;
      throw invalidArgument(`page_token: ${description}`, [{ field: "page_token", rule: "page_token", description }]);
    },
  };
}
