import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CreditReason, TransactionKind, TransactionSchema } from "../../../gen/itinera/wallet/v1/wallet_pb.js";
import { GetWalletResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { ANA, failure, renderPage, unmount } from "../test/fake-api.js";
import { WalletPage } from "./WalletPage.js";

test.after.each(unmount);

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const line = (id: string, kind: TransactionKind, amount: bigint, after: bigint, reason = CreditReason.UNSPECIFIED) =>
  create(TransactionSchema, { transactionId: id, kind, amount: eur(amount), availableAfter: eur(after), reason, reference: id === "t1" ? "BK-7" : "" });

test("the balance and each transaction are shown in words with their signs", async () => {
  await renderPage(
    <WalletPage />,
    {
      getWallet: async () =>
        create(GetWalletResponseSchema, {
          available: eur(2_550n),
          held: eur(0n),
          transactions: [line("t1", TransactionKind.HOLD, 1_000n, 2_550n), line("t2", TransactionKind.CREDIT, 3_550n, 3_550n, CreditReason.CASHBACK)],
        }),
    },
    { url: "/wallet", customer: ANA },
  );
  assert.is((await screen.findByTestId("wallet-available")).textContent, "€25.50");
  assert.is(screen.getByTestId("wallet-held").textContent, "€0.00");
  const rows = screen.getAllByTestId("wallet-transaction").map((r) => [...r.querySelectorAll("td")].slice(1).map((td) => td.textContent));
  assert.equal(rows, [
    ["Set aside for a booking · BK-7", "−€10.00", "€25.50"],
    ["Cashback added", "+€35.50", "€35.50"],
  ]);
});

test("an empty wallet says so, and missing amounts read None", async () => {
  await renderPage(<WalletPage />, { getWallet: async () => create(GetWalletResponseSchema, {}) }, { url: "/wallet", customer: ANA });
  assert.ok(await screen.findByText("Nothing has happened in your wallet yet."));
  assert.is(screen.getByTestId("wallet-available").textContent, "None");
  assert.is(screen.queryByTestId("wallet-history"), null);
});

test("older transactions come with the page token and are added below", async () => {
  const api = await renderPage(
    <WalletPage />,
    {
      getWallet: async (req) =>
        create(GetWalletResponseSchema, {
          available: eur(100n),
          transactions: req.pageToken ? [line("t3", TransactionKind.RELEASE, 100n, 100n)] : [line("t2", TransactionKind.CAPTURE, 50n, 0n)],
          nextPageToken: req.pageToken ? "" : "older",
        }),
    },
    { url: "/wallet", customer: ANA },
  );
  await userEvent.setup().click(await screen.findByRole("button", { name: "Show older" }));
  await waitFor(() => assert.is(screen.getAllByTestId("wallet-transaction").length, 2));
  assert.equal(api.requests("getWallet"), [{ pageSize: 20, pageToken: "" }, { pageSize: 20, pageToken: "older" }]);
  assert.is(within(screen.getAllByTestId("wallet-transaction")[1]!).getByText("Returned from a booking").tagName, "SPAN");
});

test("the BFF's own sentence about an unavailable wallet is shown as it is", async () => {
  await renderPage(
    <WalletPage />,
    { getWallet: async () => Promise.reject(failure(Code.Unavailable, "Your wallet cannot be checked right now. Try again soon.")) },
    { url: "/wallet", customer: ANA },
  );
  assert.is((await screen.findByRole("alert")).querySelector("p")?.textContent, "Your wallet cannot be checked right now. Try again soon.");
  assert.is(screen.queryByTestId("wallet-available"), null);
});

test.run();
