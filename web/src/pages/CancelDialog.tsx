// Cancelling a trip: QuoteCancellation's fee, refund and policy shown in a
// modal dialog first; CancelTrip only when the traveller confirms.
import { useState } from "react";
import type { Trip } from "../../../gen/itinera/web/v1/web_pb.js";
import { useApi } from "../api/context.js";
import { describeError, type Problem } from "../api/errors.js";
import { useCall } from "../api/hooks.js";
import { Dialog } from "../components/Dialog.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { formatMoney, isPositive } from "../lib/money.js";

interface CancelDialogProps {
  trip: Trip | undefined;
  onClose: () => void;
  onCancelled: (trip: Trip) => void;
}

export function CancelDialog({ trip, onClose, onCancelled }: CancelDialogProps) {
  const api = useApi();
  const reservationId = trip?.reservationId ?? "";
  const quote = useCall((signal) => api.quoteCancellation({ reservationId }, { signal }), [api, reservationId], {
    what: "the cancellation service",
    enabled: !!reservationId,
    signInOnUnauthenticated: true,
  });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);

  const confirm = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const res = await api.cancelTrip({ reservationId });
      if (res.trip) onCancelled(res.trip);
      onClose();
    } catch (e) {
      setProblem(describeError(e, "the cancellation service"));
    } finally {
      setBusy(false);
    }
  };

  const q = quote.data;
  return (
    <Dialog title="Cancel this trip?" open={!!trip} onClose={onClose} testId="cancel-dialog">
      {trip?.item?.title && <p className="dialog-subject">{trip.item.title}</p>}
      {quote.loading && (
        <p role="status">
          <span className="spinner" aria-hidden="true" /> Working out what cancelling costs…
        </p>
      )}
      <ErrorMessage problem={quote.problem} onRetry={quote.reload} />
      {q && (
        <>
          <dl className="facts">
            <div>
              <dt>Cancellation fee</dt>
              <dd data-testid="cancellation-fee">{formatMoney(q.fee) || "None"}</dd>
            </div>
            <div>
              <dt>Back to your card</dt>
              <dd data-testid="cancellation-refund">{formatMoney(q.refund) || "Nothing"}</dd>
            </div>
            {isPositive(q.walletRefund) && (
              <div>
                <dt>Back to your wallet</dt>
                <dd data-testid="cancellation-wallet-refund">{formatMoney(q.walletRefund)}</dd>
              </div>
            )}
          </dl>
          {q.policy && (
            <p className="policy" data-testid="cancellation-policy">
              {q.policy}
            </p>
          )}
        </>
      )}
      <ErrorMessage problem={problem} />
      <div className="dialog-actions">
        <button type="button" className="secondary" data-autofocus onClick={onClose} disabled={busy}>
          Keep my trip
        </button>
        <button type="button" className="danger" onClick={() => void confirm()} disabled={busy || !q} aria-busy={busy}>
          {busy ? "Cancelling…" : "Cancel trip"}
        </button>
      </div>
    </Dialog>
  );
}
