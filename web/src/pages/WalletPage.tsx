// /wallet: the balance (available, held for bookings being confirmed) and its
// history in words, newest first, page by page.
import { useEffect, useRef, useState } from "react";
import type { Transaction } from "../../../gen/itinera/wallet/v1/wallet_pb.js";
import { useApi } from "../api/context.js";
import { useCall } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { useTitle } from "../components/useTitle.js";
import { formatMoney } from "../lib/money.js";
import { transactionLabel, transactionSign } from "../lib/wallet.js";
import { useRequireSignIn } from "../session.js";

const when = (t: Transaction) =>
  t.createTime ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(Number(t.createTime.seconds) * 1000)) : "";

export function WalletPage() {
  useTitle("Your wallet");
  const api = useApi();
  const signedIn = useRequireSignIn();
  const [pageToken, setPageToken] = useState("");
  const wallet = useCall((signal) => api.getWallet({ pageSize: 20, pageToken }, { signal }), [api, pageToken], {
    what: "your wallet",
    enabled: signedIn,
    signInOnUnauthenticated: true,
  });
  const [lines, setLines] = useState<Transaction[]>([]);
  const loadedFor = useRef<unknown>(undefined);
  useEffect(() => {
    if (!wallet.data || loadedFor.current === wallet.data) return;
    loadedFor.current = wallet.data;
    const fresh = wallet.data.transactions;
    setLines((known) => (pageToken === "" ? fresh : [...known, ...fresh]));
  }, [wallet.data, pageToken]);

  const data = wallet.data;
  const next = data?.nextPageToken ?? "";
  return (
    <section className="wallet-page">
      <h1 tabIndex={-1}>Your wallet</h1>
      <p className="lede">What is in your wallet is taken off the prices you see, and paid when a booking is confirmed.</p>
      {wallet.loading && (
        <p className="status" role="status">
          <span className="spinner" aria-hidden="true" /> Loading your wallet…
        </p>
      )}
      <ErrorMessage problem={wallet.problem} onRetry={wallet.reload} />
      {data && (
        <dl className="balance">
          <div>
            <dt>Available</dt>
            <dd data-testid="wallet-available">{formatMoney(data.available) || "None"}</dd>
          </div>
          <div>
            <dt>Held for bookings being confirmed</dt>
            <dd data-testid="wallet-held">{formatMoney(data.held) || "None"}</dd>
          </div>
        </dl>
      )}
      <h2>History</h2>
      {data && lines.length === 0 && <p className="empty">Nothing has happened in your wallet yet.</p>}
      {lines.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Wallet history">
          <table className="history" data-testid="wallet-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num">
                  Available after
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((t) => (
                <tr key={t.transactionId} data-testid="wallet-transaction">
                  <td data-label="When">{when(t)}</td>
                  <td data-label="What">
                    <span>
                      {transactionLabel(t)}
                      {t.reference && <span className="reference"> · {t.reference}</span>}
                    </span>
                  </td>
                  <td className="num" data-label="Amount">
                    {transactionSign(t.kind)}
                    {formatMoney(t.amount)}
                  </td>
                  <td className="num" data-label="Available after">
                    {formatMoney(t.availableAfter)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && !wallet.loading && (
        <button type="button" className="secondary" onClick={() => setPageToken(next)}>
          Show older
        </button>
      )}
    </section>
  );
}
