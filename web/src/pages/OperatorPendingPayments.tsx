// The Operator page's payments pending for longer than expected (payment's
// ListPendingPayments): by default those waiting for the gateway for more
// than half the time after which payment expires them, oldest first, with
// more on demand. Ids, amounts and times only: no card data, no e-mail.
import { useState } from "react";
import type { PendingPayment } from "../../../gen/itinera/payment/v1/payment_pb.js";
import { useApi } from "../api/context.js";
import { describeError, type Problem } from "../api/errors.js";
import { useCall } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { formatMoney } from "../lib/money.js";

const when = (t: { seconds: bigint } | undefined) =>
  t ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium" }).format(new Date(Number(t.seconds) * 1000)) : "";
const duration = (seconds: number) => (seconds >= 60 ? `${Number((seconds / 60).toFixed(1))} minutes` : `${seconds} seconds`);

export function OperatorPendingPayments() {
  const api = useApi();
  const first = useCall((signal) => api.listOperatorPendingPayments({}, { signal }), [api], { what: "the pending payments", signInOnUnauthenticated: true });
  const [more, setMore] = useState<{ payments: PendingPayment[]; nextPageToken: string } | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const reload = () => {
    setMore(undefined);
    first.reload();
  };
  const payments = [...(first.data?.payments ?? []), ...(more?.payments ?? [])];
  const next = more ? more.nextPageToken : (first.data?.nextPageToken ?? "");
  const loadMore = async () => {
    setProblem(undefined);
    try {
      const res = await api.listOperatorPendingPayments({ pageToken: next });
      setMore({ payments: [...(more?.payments ?? []), ...res.payments], nextPageToken: res.nextPageToken });
    } catch (e) {
      setProblem(describeError(e, "the pending payments"));
    }
  };
  return (
    <>
      <h2>Payments pending too long</h2>
      {first.data && (
        <p className="lede" data-testid="pending-threshold">
          Payments still waiting for the card gateway after {duration(first.data.olderThanSeconds)} — half the time after which payment expires them.
        </p>
      )}
      <div className="toolbar">
        <button type="button" className="secondary small" onClick={reload} disabled={first.loading} data-testid="pending-refresh">
          Refresh
        </button>
      </div>
      <ErrorMessage problem={first.problem ?? problem} onRetry={reload} />
      {first.data && payments.length === 0 && (
        <p className="empty" data-testid="pending-none">
          No payment has been pending that long.
        </p>
      )}
      {payments.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Payments pending too long">
          <table className="history" data-testid="pending-table">
            <thead>
              <tr>
                <th scope="col">Pending since</th>
                <th scope="col">Payment</th>
                <th scope="col">Customer</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Card page</th>
              </tr>
            </thead>
            <tbody>
              {payments.map((p) => (
                <tr key={p.paymentId} data-testid="pending-row">
                  <td data-label="Pending since">{when(p.createTime)}</td>
                  <td data-label="Payment">{p.paymentId}</td>
                  <td data-label="Customer">{p.customerId}</td>
                  <td data-label="Amount" className="num">
                    {formatMoney(p.amount)}
                  </td>
                  <td data-label="Card page">{p.sessionOpened ? "Opened" : "Never opened (the gateway did not answer)"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next !== "" && (
        <button type="button" className="secondary small" onClick={() => void loadMore()} data-testid="pending-more">
          Show more
        </button>
      )}
    </>
  );
}
