import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodePageToken, encodePageToken } from "./page-token.js";

test("page tokens round-trip and reject anything else", () => {
  const cursor = { createMicros: 1_893_456_000_123_456n, seq: 42n };
  const token = encodePageToken(cursor);
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodePageToken(token), cursor);
  for (const bad of ["", "@@", "bm9wZQ", Buffer.from("[1,2]").toString("base64url"), Buffer.from('{"t":"1"}').toString("base64url")]) {
    assert.is(decodePageToken(bad), undefined, bad);
  }
});

test.run();
