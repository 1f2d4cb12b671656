// /trips, "My trips": ListTrips newest first, page by page, each with its
// state, dates and amounts — reservations, and the payments that never
// became one (declined, waiting for the bank, timed out: "Try again" opens
// what was being bought); Cancel goes through the quote dialog.
import { useCallback, useEffect, useRef, useState } from "react";
import type { Trip } from "../../../gen/itinera/web/v1/web_pb.js";
import { useApi } from "../api/context.js";
import { useCall } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { useTitle } from "../components/useTitle.js";
import { formatMoney } from "../lib/money.js";
import { canCancel, tripListLine, tryAgainUrl } from "../lib/trips.js";
import { Link } from "../router.js";
import { useRequireSignIn } from "../session.js";
import { CancelDialog } from "./CancelDialog.js";
import { TripFacts, TripStateBadge } from "./TripSummary.js";

export function TripsPage() {
  useTitle("My trips");
  const api = useApi();
  const signedIn = useRequireSignIn();
  const [pageToken, setPageToken] = useState("");
  const page = useCall((signal) => api.listTrips({ pageSize: 20, pageToken }, { signal }), [api, pageToken], {
    what: "your trips",
    enabled: signedIn,
    signInOnUnauthenticated: true,
  });
  const [trips, setTrips] = useState<Trip[]>([]);
  const [cancelling, setCancelling] = useState<Trip | undefined>(undefined);
  const [announcement, setAnnouncement] = useState("");
  const loadedFor = useRef<unknown>(undefined);
  const notice = useRef<HTMLParagraphElement>(null);
  // After a cancellation the Cancel button is gone: focus goes to what happened.
  useEffect(() => {
    if (announcement) notice.current?.focus();
  }, [announcement]);

  // Each page answered is added once (a later page appends, the first replaces).
  useEffect(() => {
    if (!page.data || loadedFor.current === page.data) return;
    loadedFor.current = page.data;
    const fresh = page.data.trips;
    setTrips((known) => (pageToken === "" ? fresh : [...known, ...fresh.filter((t) => !known.some((k) => k.paymentId === t.paymentId))]));
  }, [page.data, pageToken]);

  const closeDialog = useCallback(() => setCancelling(undefined), []);
  const cancelled = useCallback((updated: Trip) => {
    setTrips((known) => known.map((t) => (t.paymentId === updated.paymentId ? updated : t)));
    const fee = formatMoney(updated.cancellationFee);
    setAnnouncement(`Trip cancelled.${fee ? ` Cancellation fee: ${fee}.` : ""}${updated.refunded ? ` Refunded to your card: ${formatMoney(updated.refunded)}.` : ""}`);
  }, []);

  const next = page.data?.nextPageToken ?? "";
  return (
    <section className="trips-page">
      <h1 tabIndex={-1}>My trips</h1>
      <p ref={notice} tabIndex={-1} className={announcement ? "notice success" : "visually-hidden"} role="status" aria-live="polite" data-testid="cancel-result">
        {announcement}
      </p>
      {page.loading && (
        <p className="status" role="status">
          <span className="spinner" aria-hidden="true" /> Loading your trips…
        </p>
      )}
      <ErrorMessage problem={page.problem} onRetry={page.reload} />
      {signedIn && !page.loading && !page.problem && trips.length === 0 && (
        <p className="empty">
          You have no trips yet. <Link href="/">Find a hotel or a flight</Link>.
        </p>
      )}
      <ul className="results trips" aria-label="Trips" data-testid="trips">
        {trips.map((trip) => {
          const again = tryAgainUrl(trip);
          return (
            <li key={trip.paymentId} className="card trip-card" data-testid="trip" data-payment-id={trip.paymentId} data-reservation-id={trip.reservationId}>
              <article aria-label={trip.item?.title || "Trip"}>
                <div className="trip-head">
                  <h2 className="card-title">{trip.item?.title || "Trip"}</h2>
                  <TripStateBadge trip={trip} />
                </div>
                <p className="trip-line" data-testid="trip-line">
                  {tripListLine(trip)}
                </p>
                {trip.reason && <p className="trip-reason">{trip.reason}</p>}
                <TripFacts trip={trip} />
                <div className="card-actions">
                  <Link href={`/trips/return?payment_id=${encodeURIComponent(trip.paymentId)}`} className="button link">
                    Details
                  </Link>
                  {again && (
                    <Link href={again} className="button secondary" aria-label={`Try again: ${trip.item?.title || "this trip"}`} data-testid="try-again">
                      Try again
                    </Link>
                  )}
                  {canCancel(trip) && (
                    <button type="button" className="secondary" aria-label={`Cancel ${trip.item?.title || "trip"}`} data-testid="cancel-button" onClick={() => setCancelling(trip)}>
                      Cancel
                    </button>
                  )}
                </div>
              </article>
            </li>
          );
        })}
      </ul>
      {next && !page.loading && (
        <button type="button" className="secondary" onClick={() => setPageToken(next)}>
          Show more trips
        </button>
      )}
      <CancelDialog trip={cancelling} onClose={closeDialog} onCancelled={cancelled} />
    </section>
  );
}
