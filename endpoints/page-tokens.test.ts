// Page tokens (page-tokens.ts): a cursor round-trips through its token for
// the same list, scope and secret; a token altered in any one character,
// forged, truncated, oversize, not base64url, or presented for another scope,
// list or secret decodes to nothing; decoding never throws; and a request's
// bad page_token is INVALID_ARGUMENT naming the field.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { oneCharacterEdit } from "../platform/token-edits.testing.js";
import { Code, KitError } from "./errors.js";
import { MAX_CURSOR_BYTES, pageTokens, type CursorCodec, type Scope } from "./page-tokens.js";

const RUNS = { numRuns: 300, includeErrorInReport: true };
const SECRET = "a-secret-every-instance-shares";

/** Any text as the cursor: the kit must carry whatever a codec writes. */
const text: CursorCodec<string> = { write: (t) => t, read: (t) => t };
const tokensOf = (secret = SECRET, list = "ListThings") => pageTokens({ secret, list, codec: text, scopeIs: "customer" });
const tokens = tokensOf();

const scope: fc.Arbitrary<Scope> = fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 3 });
const cursor = fc.string({ unit: "binary", minLength: 1, maxLength: 100 });

test("a token is URL-safe and decodes to its cursor for its scope, list and secret only", () => {
  const token = tokens.encode(["pia", "EUR"], "42.7");
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  assert.is(tokens.decode(["pia", "EUR"], token), "42.7");
  assert.is(tokens.decode(["quentin", "EUR"], token), undefined, "another customer");
  assert.is(tokens.decode(["pia", "USD"], token), undefined, "another filter");
  assert.is(tokens.decode(["pia", "EUR", ""], token), undefined, "another shape of scope");
  assert.is(tokens.decode(["piaEUR"], token), undefined, "the same characters, otherwise split");
  assert.is(tokensOf("another-secret").decode(["pia", "EUR"], token), undefined, "another secret");
  assert.is(tokensOf(SECRET, "ListOthers").decode(["pia", "EUR"], token), undefined, "another list method");
});

test("truncated, padded, non-base64url, unsigned and oversize tokens decode to nothing", () => {
  const token = tokens.encode(["pia"], "42");
  const [payload, mac] = token.split(".") as [string, string];
  const long = "x".repeat(MAX_CURSOR_BYTES + 1);
  const oversize = `${Buffer.from(long).toString("base64url")}.${mac}`;
  for (const bad of ["", ".", payload, `${payload}.`, `.${mac}`, token.slice(0, -1), `${token}=`, `${token}A`, `${payload}.${mac}.${mac}`, `${payload}+.${mac}`, `${payload} .${mac}`, Buffer.from("42").toString("base64url"), oversize]) {
    assert.is(tokens.decode(["pia"], bad), undefined, bad);
  }
  assert.throws(() => tokens.encode(["pia"], long), /over 512 bytes/);
  assert.is(tokens.decode(["pia"], tokens.encode(["pia"], long.slice(1))), long.slice(1), "the longest cursor still fits");
});

test("another spelling of the same bytes is no token: the spare low bits of a part's last character", () => {
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const respell = (part: string) => part.slice(0, -1) + ALPHABET[ALPHABET.indexOf(part.at(-1)!) ^ 1]!;
  const token = tokens.encode(["pia"], "42");
  const [payload, mac] = token.split(".") as [string, string];
  for (const [was, now] of [[payload, respell(payload)], [mac, respell(mac)]] as const) {
    assert.ok(Buffer.from(was, "base64url").equals(Buffer.from(now, "base64url")), "the same bytes");
    assert.is(tokens.decode(["pia"], token.replace(was, now)), undefined, now);
  }
});

test("a cursor its codec refuses is no cursor, even signed", () => {
  const strict = pageTokens({ secret: SECRET, list: "ListThings", codec: { write: (n: number) => String(n), read: (t) => (/^\d+$/.test(t) ? Number(t) : undefined) }, scopeIs: "customer" });
  const signedText = tokens.encode(["pia"], "-1");
  assert.is(strict.decode(["pia"], signedText), undefined);
  assert.is(strict.decode(["pia"], strict.encode(["pia"], 7)), 7);
});

test("start: the first page for an empty token, the cursor, or INVALID_ARGUMENT naming page_token", () => {
  assert.is(tokens.start(["pia"], ""), undefined);
  assert.is(tokens.start(["pia"], tokens.encode(["pia"], "9")), "9");
  for (const bad of ["garbage", tokens.encode(["quentin"], "9")]) {
    const e = (() => {
      try {
        tokens.start(["pia"], bad);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    assert.instance(e, KitError);
    const error = e as KitError;
    assert.equal([error.code, error.violations.map((v) => v.field)], [Code.InvalidArgument, ["page_token"]]);
    assert.is(error.message, "page_token: is not a page token from a previous response for the same customer: leave it empty for the first page");
  }
});

test("no secret, no tokens: a service cannot be built to sign with an empty key", () => {
  assert.throws(() => tokensOf(""), /ListThings page tokens need a secret/);
});

test("every cursor round-trips for its scope, and decodes to nothing for another scope", () => {
  fc.assert(
    fc.property(scope, scope, cursor, (own, other, c) => {
      const token = tokens.encode(own, c);
      assert.is(tokens.decode(own, token), c);
      if (JSON.stringify(other) !== JSON.stringify(own)) assert.is(tokens.decode(other, token), undefined);
    }),
    RUNS,
  );
});

test("changing any one character of a token makes it decode to nothing", () => {
  fc.assert(
    fc.property(scope, cursor, fc.nat(), fc.nat(), (own, c, at, pick) => {
      const token = tokens.encode(own, c);
      const edited = oneCharacterEdit(token, at, pick);
      fc.pre(edited !== undefined);
      assert.is(tokens.decode(own, edited), undefined, `${token} → ${edited}`);
    }),
    RUNS,
  );
});

test("no string makes decoding throw, and a forged one never decodes", () => {
  const forged = fc.oneof(
    fc.string(),
    fc.base64String(),
    fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `${a}.${b}`),
    fc.tuple(cursor, fc.uint8Array({ minLength: 16, maxLength: 16 })).map(([c, mac]) => `${Buffer.from(c).toString("base64url")}.${Buffer.from(mac).toString("base64url")}`),
  );
  fc.assert(
    fc.property(scope, forged, (own, token) => {
      assert.is(tokens.decode(own, token), undefined, token);
    }),
    RUNS,
  );
});

test.run();
