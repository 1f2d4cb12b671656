// The Operator page in a real browser over the whole marketplace (registered
// by browser.test.ts, on its one marketplace): a person the operator tool
// gave the role signs in and finds the page in the nav; a sandbox seller told
// to fail has its breaker open there; a paid booking with that seller, tried
// SELLERS_BOOKING_MAX_ATTEMPTS times while it failed, is a real dead letter
// of the sellers process, listed there; once the seller answers again,
// Replay from the page (after its confirmation) delivers it again and the
// reservation is CONFIRMED, and the page's bookings chart counts it among
// the confirmed ones of the last 24 h — the same numbers booking answers the
// operator tool — beside the section of payments pending too long. A
// traveller has no Operator entry and the page
// refuses them in words. Screenshots under test-output/browser/<test>/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Principal } from "../endpoints/context.js";
import { BookingService, ReservationState } from "../gen/itinera/booking/v1/booking_pb.js";
import { DeadLetterService } from "../gen/itinera/bus/v1/dead_letters_pb.js";
import { SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import { until } from "../platform/processes.testing.js";
import { BOOKINGS_GROUP } from "../services/sellers/bookings.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import type { BrowserSession, BrowserWorld } from "./browser.fixture.js";
import { CARDS, type Customer } from "./marketplace.fixture.js";

/** What the marketplace of these cases is started with: a booking the seller keeps failing is a dead letter after 3 tries (1 s + 2 s of backoff), not 100. */
export const OPERATOR_CASES_ENV = { SELLERS_BOOKING_MAX_ATTEMPTS: "3" };

/** The chart's states, as its svg's data-<state> attributes and booking's bucket fields name them. */
const STATES = ["paid", "confirmed", "fulfilled", "cancelled", "failed"] as const;

const PASSWORD = "correct horse battery"; // the marketplace fixture's sign-up password

async function signIn(s: BrowserSession, who: Customer) {
  const { page } = s;
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("customer-name").waitFor();
}

export function operatorCases(world: () => BrowserWorld): void {
  test("the operator page: a failing seller's breaker open, its booking a dead letter, replayed from the page and confirmed", async () => {
    const w = world();
    const { m } = w;
    const tool = await m.service("operator");
    const ctx = (p: Principal) => m.ctx(p, 30_000);
    const sellers = clientOf(SellersService, grpcTransport(m.system.url("sellers")));
    const deadLetters = clientOf(DeadLetterService, grpcTransport(m.system.url("sellers")));
    const bookingStats = clientOf(BookingService, grpcTransport(m.system.url("booking")));
    const breakerOf = async (sellerId: string) => (await sellers.listSellers(ctx(tool), {})).sellers.find((x) => x.sellerId === sellerId)?.breakerState;

    // The operator: a person who signed up like anyone, then given the role by the operator tool.
    const olivia = await m.signUp("olivia");
    await m.clients.identity.grantOperatorRole(ctx(tool), { email: olivia.email });
    const traveller = await m.signUp("tess");
    const offer = (await m.findStays(traveller, 12)).find((o) => o.item.sellerId === "casa");
    assert.ok(offer, "a stay sold by casa, the seller to fail");

    const s = await w.session("operator-page-breaker-and-dead-letter-replay");
    const { page } = s;
    try {
      // casa fails: its pulls fail until its breaker opens, and a paid booking with it is tried 3 times, then dead-lettered.
      await m.sellerAdmin("casa", "/admin/mode", { mode: "fail" });
      await until(
        "casa's breaker open",
        async () => {
          await sellers.syncSeller(ctx(tool), { sellerId: "casa" }).catch(() => undefined);
          return (await breakerOf("casa")) === "open" ? true : undefined;
        },
        30_000,
      );
      const { paymentId } = await m.pay(traveller, offer, CARDS.authorises);
      const paid = await m.reservationOf(traveller, paymentId, (r) => r.reservationId !== "");
      const letter = await until(
        "the booking among the sellers process's dead letters",
        async () => (await deadLetters.listDeadLetters(ctx(tool), { group: BOOKINGS_GROUP })).deadLetters.find((d) => d.key === paid.reservationId),
        60_000,
      );
      assert.is((await m.reservationOf(traveller, paymentId, () => true)).state, ReservationState.PAID, "not booked while the seller fails");

      await signIn(s, olivia);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operator" }).click();
      await page.getByRole("heading", { level: 1, name: "Operator" }).waitFor();
      const casa = page.locator('[data-testid="seller-row"][data-seller="casa"]');
      await casa.waitFor();
      if ((await casa.getByTestId("seller-breaker").getAttribute("data-state")) !== "open") {
        await page.getByTestId("sellers-refresh").click(); // the breaker may have probed meanwhile: read it again
      }
      assert.match((await casa.getByTestId("seller-breaker").textContent()) ?? "", /Open|Half-open/);
      assert.match((await casa.textContent()) ?? "", /sync: /, "casa's failed pulls are listed");
      const row = page.getByTestId("dead-letter-row").filter({ hasText: paid.reservationId });
      await row.waitFor();
      assert.match((await row.textContent()) ?? "", new RegExp(`${BOOKINGS_GROUP} \\(sellers\\), message ${letter.messageId}`));
      await s.shot("operator page: casa failing, its booking dead-lettered");

      // casa answers again; once its breaker lets a call through, Replay from the page.
      await m.sellerAdmin("casa", "/admin/mode", { mode: "normal" });
      await until("casa's breaker no longer open", async () => ((await breakerOf("casa")) !== "open" ? true : undefined), 30_000);
      await row.getByRole("button", { name: "Replay" }).click();
      const dialog = page.getByRole("dialog", { name: "Replay this dead letter?" });
      await dialog.waitFor();
      await s.shot("replay: the confirmation");
      await dialog.getByRole("button", { name: "Replay", exact: true }).click();
      await page.getByTestId("dead-letter-result").filter({ hasText: `Replayed message ${letter.messageId} of ${BOOKINGS_GROUP} (sellers).` }).waitFor();
      const confirmed = await m.reservationOf(traveller, paymentId, (r) => r.state !== ReservationState.PAID, 60_000);
      assert.is(confirmed.state, ReservationState.CONFIRMED, "the replayed booking reached the seller and was confirmed");
      await page.getByTestId("dead-letters-refresh").click();
      await page.getByTestId("dead-letter-row").filter({ hasText: paid.reservationId }).waitFor({ state: "detached" });
      await page.getByTestId("sellers-refresh").click();
      await s.shot("after the replay: the booking confirmed, no dead letter left");

      // The chart: this booking among the confirmed ones, every state as booking counts it for the operator tool.
      await page.getByTestId("bookings-refresh").click();
      const chart = page.getByRole("img", { name: "Reservations per hour, last 24 hours, by state" });
      const counted = (await bookingStats.countReservationsByState(ctx(tool), {})).buckets;
      const expected = Object.fromEntries(STATES.map((k) => [k, String(counted.reduce((n, b) => n + b[k], 0))]));
      assert.ok(Number(expected.confirmed) >= 1, "booking counts the confirmed booking");
      await until(
        "the chart drawn with booking's numbers",
        async () => {
          const shown = Object.fromEntries(await Promise.all(STATES.map(async (k) => [k, await chart.getAttribute(`data-${k}`)])));
          return JSON.stringify(shown) === JSON.stringify(expected) ? true : undefined;
        },
        10_000,
      );
      assert.match((await chart.locator("desc").textContent()) ?? "", new RegExp(`${expected.confirmed} confirmed`));
      const threshold = Number(m.env.PAYMENT_EXPIRE_MS ?? 15 * 60_000) / 2 / 60_000;
      assert.match((await page.getByTestId("pending-threshold").textContent()) ?? "", new RegExp(`after ${threshold} minutes`));
      assert.is((await page.getByTestId("pending-none").count()) + (await page.getByTestId("pending-table").count()), 1, "the pending payments: none, or their table");
      await chart.scrollIntoViewIfNeeded();
      await s.shot("the bookings chart and the payments pending too long");
    } finally {
      await m.sellerAdmin("casa", "/admin/mode", { mode: "normal" });
    }
    await s.close();
  });

  test("a traveller has no Operator entry, and the operator page refuses them", async () => {
    const w = world();
    const tom = await w.m.signUp("tom");
    const s = await w.session("operator-page-refuses-a-traveller");
    const { page } = s;
    await signIn(s, tom);
    assert.is(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operator" }).count(), 0, "no Operator entry");
    await page.goto("/operator");
    await page.getByTestId("operator-refused").waitFor();
    assert.match((await page.getByTestId("operator-refused").textContent()) ?? "", /does not have the operator role/);
    assert.is(await page.getByTestId("sellers-table").count(), 0);
    await s.shot("a traveller on the operator page");
    await s.close();
  });
}
