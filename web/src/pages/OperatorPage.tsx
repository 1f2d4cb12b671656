// /operator: the marketplace as an operator sees it — each seller's health
// (breaker, latest failures, last pull, look-to-book), the bookings of the
// last 24 hours by state, the payments pending too long, and the dead letters of
// every process that consumes events, with Replay and Discard. For people with
// the operator role only: the nav shows the entry to them alone, and the BFF
// (and behind it sellers and each process) refuses everyone else, which this
// page says in words.
import { useApi } from "../api/context.js";
import { useCall } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { useTitle } from "../components/useTitle.js";
import { useRequireSignIn, useSession } from "../session.js";
import { OperatorBookings } from "./OperatorBookings.js";
import { OperatorDeadLetters } from "./OperatorDeadLetters.js";
import { OperatorPendingPayments } from "./OperatorPendingPayments.js";
import { SellerHealthTable } from "./OperatorSellers.js";

export function OperatorPage() {
  useTitle("Operator");
  const signedIn = useRequireSignIn();
  const { customer } = useSession();
  const allowed = signedIn && customer?.operator === true;
  return (
    <section className="operator-page">
      <h1 tabIndex={-1}>Operator</h1>
      {signedIn && !allowed ? (
        <p className="error" role="alert" data-testid="operator-refused">
          This page is for Itinera's operators. Your account does not have the operator role.
        </p>
      ) : (
        allowed && <OperatorViews />
      )}
    </section>
  );
}

function OperatorViews() {
  const api = useApi();
  const sellers = useCall((signal) => api.listSellerHealth({}, { signal }), [api], { what: "the sellers' health", signInOnUnauthenticated: true });
  return (
    <>
      <h2>Sellers</h2>
      <div className="toolbar">
        <button type="button" className="secondary small" onClick={sellers.reload} disabled={sellers.loading} data-testid="sellers-refresh">
          Refresh
        </button>
      </div>
      {sellers.loading && !sellers.data && (
        <p className="status" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the sellers…
        </p>
      )}
      <ErrorMessage problem={sellers.problem} onRetry={sellers.reload} />
      {sellers.data && <SellerHealthTable sellers={sellers.data.sellers} />}
      <OperatorBookings />
      <OperatorPendingPayments />
      <OperatorDeadLetters />
    </>
  );
}
