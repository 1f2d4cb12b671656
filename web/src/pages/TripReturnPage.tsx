// /trips/return?payment_id=…&status=…: where the gateway sends the browser
// back. Follows the trip live with WatchTrip (PAYING → PAID → CONFIRMED, or
// DECLINED / FAILED / EXPIRED) and says in plain words what happened. A watch
// that ends before a final state (its deadline) is opened again.
import { Code } from "@connectrpc/connect";
import { useEffect, useState } from "react";
import type { Trip } from "../../../gen/itinera/web/v1/web_pb.js";
import { useApi } from "../api/context.js";
import { describeError, isAbort, isUnauthenticated, type Problem } from "../api/errors.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { useTitle } from "../components/useTitle.js";
import { parsePaymentReturn, signInUrl } from "../lib/params.js";
import { isFinal, isPending, tripMessage } from "../lib/trips.js";
import { Link, navigate, useLocation } from "../router.js";
import { useRequireSignIn } from "../session.js";
import { TripFacts, TripStateBadge } from "./TripSummary.js";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = window.setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (window.clearTimeout(timer), resolve()), { once: true });
  });

/** Errors that following again will not mend. */
const HOPELESS = new Set([Code.NotFound, Code.InvalidArgument, Code.PermissionDenied]);

export function TripReturnPage() {
  useTitle("Your booking");
  const api = useApi();
  const location = useLocation();
  const signedIn = useRequireSignIn();
  const { paymentId, status } = parsePaymentReturn(location.search);
  const [trip, setTrip] = useState<Trip | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);

  useEffect(() => {
    if (!signedIn || !paymentId) return;
    const controller = new AbortController();
    const { signal } = controller;
    void (async () => {
      let failures = 0;
      while (!signal.aborted) {
        let wait = 1000;
        try {
          for await (const res of api.watchTrip({ paymentId }, { signal })) {
            if (!res.trip) continue;
            setTrip(res.trip);
            setProblem(undefined);
            failures = 0;
            if (isFinal(res.trip.state)) return;
          }
        } catch (e) {
          if (signal.aborted || isAbort(e)) return;
          if (isUnauthenticated(e)) {
            navigate(signInUrl(window.location.pathname + window.location.search), { replace: true });
            return;
          }
          const p = describeError(e, "your booking");
          // A watch that reached its deadline is simply opened again.
          if (p.code === Code.DeadlineExceeded) {
            await sleep(500, signal);
            continue;
          }
          setProblem(p);
          if (HOPELESS.has(p.code)) return;
          failures += 1;
          wait = p.retryAfterSeconds ? p.retryAfterSeconds * 1000 : Math.min(1000 * 2 ** failures, 15_000);
        }
        await sleep(wait, signal);
      }
    })();
    return () => controller.abort();
  }, [api, paymentId, signedIn]);

  const declinedByUrl = !trip && status === "declined";
  const message = trip
    ? tripMessage(trip)
    : declinedByUrl
      ? { headline: "Your card was declined. Nothing was booked and nothing was charged.", details: ["You can try again with another card."] }
      : { headline: "Checking your payment…", details: [] };
  const busy = !trip ? !problem : isPending(trip.state);

  return (
    <section className="trip-page">
      <h1 tabIndex={-1}>Your booking</h1>
      {!paymentId && <p className="error" role="alert">This link has no payment in it. Your trips are listed under My trips.</p>}
      {paymentId && (
        <div className={`trip-status card ${trip ? "" : "unknown"}`} data-testid="trip" aria-busy={busy}>
          {trip?.item?.title && <h2>{trip.item.title}</h2>}
          {trip && <TripStateBadge trip={trip} />}
          <div role="status" aria-live="polite" data-testid="trip-message">
            <p className="headline">
              {busy && <span className="spinner" aria-hidden="true" />}
              {message.headline}
            </p>
            {message.details.map((d) => (
              <p key={d}>{d}</p>
            ))}
          </div>
          {trip && <TripFacts trip={trip} />}
        </div>
      )}
      <ErrorMessage problem={problem} />
      <p className="actions">
        <Link href="/trips" className="button secondary">
          My trips
        </Link>{" "}
        <Link href="/" className="button link">
          New search
        </Link>
      </p>
    </section>
  );
}
