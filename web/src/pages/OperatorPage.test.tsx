import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeadLetterSchema } from "../../../gen/itinera/bus/v1/dead_letters_pb.js";
import { SellerSchema } from "../../../gen/itinera/sellers/v1/sellers_pb.js";
import {
  CustomerSchema,
  GetOperatorBookingStatsResponseSchema,
  ListOperatorDeadLettersResponseSchema,
  ListOperatorPendingPaymentsResponseSchema,
  ListSellerHealthResponseSchema,
} from "../../../gen/itinera/web/v1/web_pb.js";
import { ANA, failure, renderPage, unmount } from "../test/fake-api.js";
import { OperatorPage } from "./OperatorPage.js";

test.after.each(unmount);

const OLIVIA = create(CustomerSchema, { customerId: "cus_olivia", displayName: "Olivia", operator: true });
const at = { seconds: 1_800_000_000n, nanos: 0 };
const sellers = () =>
  create(ListSellerHealthResponseSchema, {
    sellers: [
      create(SellerSchema, { sellerId: "casa", name: "Casa Hotels", breakerState: "open", recentErrors: [{ time: at, operation: "sync", message: "casa answered 500" }], lastSync: { time: at, ok: false, error: "casa answered 500" } }),
      create(SellerSchema, { sellerId: "skylark", name: "SkyLark Air", breakerState: "closed", searches: 8n, lookToBook: 8 }),
    ],
  });
const letter = (messageId: bigint) =>
  create(DeadLetterSchema, { group: "sellers-bookings", topic: "booking.reservations", key: "res_1", messageId, attempts: 3, lastError: "casa is not called", failTime: at });

test("a traveller is refused in words and nothing is asked", async () => {
  const api = await renderPage(<OperatorPage />, {}, { url: "/operator", customer: ANA });
  assert.match((await screen.findByTestId("operator-refused")).textContent ?? "", /does not have the operator role/);
  assert.equal(api.requests("listSellerHealth"), []);
  assert.equal(api.requests("listOperatorDeadLetters"), []);
  assert.equal(api.requests("getOperatorBookingStats"), []);
  assert.equal(api.requests("listOperatorPendingPayments"), []);
});

test("an operator sees the bookings chart, titled and described, with the same numbers as a table; and the payments pending too long, more on demand", async () => {
  const hour = (h: number) => ({ seconds: 1_800_000_000n + BigInt(h * 3600), nanos: 0 });
  const pendingPayment = (n: number) => ({ paymentId: `pay_${n}`, customerId: "cus_tom", amount: { amountMinor: 2500n, currency: "EUR" }, createTime: at, sessionOpened: n !== 2 });
  const api = await renderPage(
    <OperatorPage />,
    {
      listSellerHealth: async () => sellers(),
      listOperatorDeadLetters: async () => create(ListOperatorDeadLettersResponseSchema, {}),
      getOperatorBookingStats: async () =>
        create(GetOperatorBookingStatsResponseSchema, {
          bucketMinutes: 60,
          buckets: [{ startTime: hour(0), paid: 2, failed: 1 }, { startTime: hour(1) }, { startTime: hour(2), confirmed: 3, cancelled: 1 }],
        }),
      listOperatorPendingPayments: async (req) =>
        create(ListOperatorPendingPaymentsResponseSchema, !req.pageToken
          ? { payments: [pendingPayment(1)], nextPageToken: "next", olderThanSeconds: 450 }
          : { payments: [pendingPayment(2)], olderThanSeconds: 450 }),
    },
    { url: "/operator", customer: OLIVIA },
  );
  const chart = await screen.findByRole("img", { name: /Reservations per hour, last 24 hours, by state/ });
  assert.match(chart.querySelector("desc")?.textContent ?? "", /7 reservations made in the last 3 hours: 2 paid, 3 confirmed, 0 fulfilled, 1 cancelled, 1 failed/);
  assert.equal(screen.getAllByTestId("bookings-bar").map((b) => b.getAttribute("data-total")), ["3", "0", "4"]);
  assert.equal([...chart.querySelectorAll("rect[data-state]")].map((r) => `${r.getAttribute("data-state")}:${r.getAttribute("data-count")}`), ["paid:2", "failed:1", "confirmed:3", "cancelled:1"]);
  const rows = screen.getAllByTestId("bookings-row").map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent));
  assert.equal(rows, [["2", "0", "0", "0", "1", "3"], ["0", "0", "0", "0", "0", "0"], ["0", "3", "0", "1", "0", "4"]]);

  assert.match(screen.getByTestId("pending-threshold").textContent ?? "", /after 7\.5 minutes — half the time/);
  assert.match((await screen.findByTestId("pending-row")).textContent ?? "", /pay_1.*cus_tom.*€25\.00.*Opened/);
  await userEvent.setup().click(screen.getByTestId("pending-more"));
  await waitFor(() => assert.is(screen.getAllByTestId("pending-row").length, 2));
  assert.match(screen.getAllByTestId("pending-row")[1]!.textContent ?? "", /pay_2.*Never opened/);
  assert.equal(api.requests("listOperatorPendingPayments").map((r) => r.pageToken ?? ""), ["", "next"]);
  assert.is(screen.queryByTestId("pending-more"), null, "no more after the last page");
});

test("an operator sees each seller's breaker, failures and last pull, and the dead letters", async () => {
  await renderPage(
    <OperatorPage />,
    {
      listSellerHealth: async () => sellers(),
      listOperatorDeadLetters: async () => create(ListOperatorDeadLettersResponseSchema, { deadLetters: [{ process: "sellers", deadLetter: letter(12n) }], unreachable: ["pricing"] }),
    },
    { url: "/operator", customer: OLIVIA },
  );
  const casa = (await screen.findAllByTestId("seller-row"))[0]!;
  assert.is(within(casa).getByTestId("seller-breaker").textContent, "Open (not called)");
  assert.match(casa.textContent ?? "", /sync: casa answered 500/);
  assert.match(casa.textContent ?? "", /Failed, .*casa answered 500/);
  assert.match((await screen.findByTestId("dead-letter-row")).textContent ?? "", /sellers-bookings \(sellers\), message 12/);
  assert.match(screen.getByText(/Not shown: the dead letters of pricing/).textContent ?? "", /did not answer/);
});

test("Replay asks first, then replays the letter at its process, says so and reads the list again", async () => {
  let listed = 0;
  const api = await renderPage(
    <OperatorPage />,
    {
      listSellerHealth: async () => sellers(),
      listOperatorDeadLetters: async () =>
        create(ListOperatorDeadLettersResponseSchema, { deadLetters: listed++ === 0 ? [{ process: "sellers", deadLetter: letter(12n) }, { process: "mailer", deadLetter: letter(13n) }] : [] }),
      replayOperatorDeadLetter: async () => ({}) as never,
    },
    { url: "/operator", customer: OLIVIA },
  );
  const user = userEvent.setup();
  const [first] = await screen.findAllByTestId("dead-letter-row");
  await user.click(within(first!).getByRole("button", { name: "Replay" }));
  assert.equal(api.requests("replayOperatorDeadLetter"), [], "nothing before the confirmation");
  await user.click(within(await screen.findByTestId("dead-letter-dialog")).getByRole("button", { name: "Replay" }));
  await waitFor(() => assert.is(screen.getByTestId("dead-letter-result").textContent, "Replayed message 12 of sellers-bookings (sellers)."));
  assert.equal(api.requests("replayOperatorDeadLetter").map((r) => [r.process, r.group, r.messageId]), [["sellers", "sellers-bookings", 12n]]);
  await waitFor(() => assert.ok(screen.getByText("No dead letters.")));
  assert.is(listed, 2, "the list is read again");
});

test("a refused replay is shown in words in the dialog, which stays open", async () => {
  await renderPage(
    <OperatorPage />,
    {
      listSellerHealth: async () => sellers(),
      listOperatorDeadLetters: async () => create(ListOperatorDeadLettersResponseSchema, { deadLetters: [{ process: "mailer", deadLetter: letter(13n) }] }),
      replayOperatorDeadLetter: async () => {
        throw failure(Code.NotFound, "group \"sellers-bookings\" has no dead letter with message id 13");
      },
    },
    { url: "/operator", customer: OLIVIA },
  );
  const user = userEvent.setup();
  await user.click(within(await screen.findByTestId("dead-letter-row")).getByRole("button", { name: "Replay" }));
  const dialog = await screen.findByTestId("dead-letter-dialog");
  await user.click(within(dialog).getByRole("button", { name: "Replay" }));
  assert.ok(await within(dialog).findByRole("alert"));
  assert.is(screen.getByTestId("dead-letter-result").textContent, "");
});

test.run();
