// Refresh-token families on real PostgreSQL: a sign-in starts a family,
// each refresh rotates within it, sign-out revokes all of it, and a spent
// token presented again (a copy someone else holds) revokes it too — also
// when the two presentations race.
import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection as failure } from "../../endpoints/testing.js";
import { identityFixture, type IdentityFixture } from "./fixture.js";
import { BAD_REFRESH_TOKEN } from "./service.js";

let f: IdentityFixture;
test.before(async () => {
  f = await identityFixture();
});
test.after(async () => {
  await f?.close();
});

const PASSWORD = "correct horse battery";

async function familyOf(refreshToken: string): Promise<string> {
  const row = await f.database.knex("refresh_tokens").where({ token_hash: createHash("sha256").update(refreshToken).digest() }).first("family_id");
  return row.family_id as string;
}

test("each sign-in starts its own family; refreshes stay in it", async () => {
  const a = await f.signedUp("rosalind@example.com", PASSWORD);
  const b = await f.client.signIn(f.ctx, { email: "rosalind@example.com", password: PASSWORD });
  assert.is.not(await familyOf(a.tokens.refreshToken), await familyOf(b.tokens!.refreshToken));
  const r = await f.client.refresh(f.ctx, { refreshToken: a.tokens.refreshToken });
  assert.is(await familyOf(r.tokens!.refreshToken), await familyOf(a.tokens.refreshToken));
});

test("sign-out revokes the whole family: the token sent, the ones before it and after it; other sign-ins go on", async () => {
  const first = await f.signedUp("barbara.l@example.com", PASSWORD);
  const other = await f.client.signIn(f.ctx, { email: "barbara.l@example.com", password: PASSWORD });
  const second = await f.client.refresh(f.ctx, { refreshToken: first.tokens.refreshToken });
  // Signing out with the spent first token ends the session it started, current token included.
  await f.client.signOut(f.ctx, { refreshToken: first.tokens.refreshToken });
  const e = await failure(f.client.refresh(f.ctx, { refreshToken: second.tokens!.refreshToken }));
  assert.is(e.code, Code.Unauthenticated);
  assert.is(e.message, BAD_REFRESH_TOKEN);
  assert.ok(await f.store.familyRevoked(await familyOf(second.tokens!.refreshToken)));
  // The other device's session is another family.
  const stillIn = await f.client.refresh(f.ctx, { refreshToken: other.tokens!.refreshToken });
  assert.is(stillIn.customerId, first.customerId);
});

test("sign-out twice, or with an unknown token, is OK and changes nothing else", async () => {
  const a = await f.signedUp("edsger@example.com", PASSWORD);
  await f.client.signOut(f.ctx, { refreshToken: a.tokens.refreshToken });
  await f.client.signOut(f.ctx, { refreshToken: a.tokens.refreshToken });
  await f.client.signOut(f.ctx, { refreshToken: "never-issued" });
  assert.is((await failure(f.client.refresh(f.ctx, { refreshToken: a.tokens.refreshToken }))).code, Code.Unauthenticated);
  const empty = await failure(f.client.signOut(f.ctx, { refreshToken: "" }));
  assert.is(empty.code, Code.InvalidArgument);
});

test("a spent token presented again revokes its family: the thief's and the owner's next refresh both fail", async () => {
  const a = await f.signedUp("frances@example.com", PASSWORD);
  const owner = await f.client.refresh(f.ctx, { refreshToken: a.tokens.refreshToken });
  const replay = await failure(f.client.refresh(f.ctx, { refreshToken: a.tokens.refreshToken }));
  assert.is(replay.code, Code.Unauthenticated);
  const next = await failure(f.client.refresh(f.ctx, { refreshToken: owner.tokens!.refreshToken }));
  assert.is(next.code, Code.Unauthenticated);
  assert.ok(await f.store.familyRevoked(await familyOf(a.tokens.refreshToken)));
  // Signing in again works: a new family.
  const again = await f.client.signIn(f.ctx, { email: "frances@example.com", password: PASSWORD });
  assert.ok(await f.client.refresh(f.ctx, { refreshToken: again.tokens!.refreshToken }));
});

test("concurrent refreshes of one token: exactly one gets a pair, the others UNAUTHENTICATED, and the family is revoked", async () => {
  const a = await f.signedUp("dennis.r@example.com", PASSWORD);
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => f.client.refresh(f.ctx, { refreshToken: a.tokens.refreshToken })));
  const won = results.filter((r) => r.status === "fulfilled");
  assert.is(won.length, 1);
  for (const r of results) if (r.status === "rejected") assert.is((r.reason as { code: Code }).code, Code.Unauthenticated);
  // A second presentation means a copy exists: the winner's new token is no good either.
  const winner = (won[0] as PromiseFulfilledResult<{ tokens?: { refreshToken: string } }>).value;
  assert.is((await failure(f.client.refresh(f.ctx, { refreshToken: winner.tokens!.refreshToken }))).code, Code.Unauthenticated);
});

test("an expired refresh token is refused and revokes nothing", async () => {
  const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
  const past = f.clientAt(() => longAgo);
  await f.signedUp("margaret.h@example.com", PASSWORD);
  const old = await past.signIn(f.ctx, { email: "margaret.h@example.com", password: PASSWORD });
  const e = await failure(f.client.refresh(f.ctx, { refreshToken: old.tokens!.refreshToken }));
  assert.is(e.code, Code.Unauthenticated);
  assert.not.ok(await f.store.familyRevoked(await familyOf(old.tokens!.refreshToken)));
});

test.run();
