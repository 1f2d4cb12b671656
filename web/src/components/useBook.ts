// Book: a new idempotency key per click, StartBooking with the quotes of the
// prices shown and the traveller's flexible choice, then the browser goes to
// the gateway's card page. Signed-out visitors go to sign in and come back to
// the page they were on (their prices then come with quotes).
import { Code } from "@connectrpc/connect";
import { useState } from "react";
import { useApi } from "../api/context.js";
import { describeError, isUnauthenticated, type Problem } from "../api/errors.js";
import { newIdempotencyKey, type Booking } from "../lib/items.js";
import { signInUrl } from "../lib/params.js";
import { navigate } from "../router.js";
import { useSession } from "../session.js";

export interface BookState {
  /** Starts paying for the result `id` shows, with the flexible option or not. */
  book: (id: string, booking: Booking, flexible: boolean) => Promise<void>;
  /** The result whose booking is being started (its button says "Booking…"). */
  pending: string | undefined;
  /** The problem of the last attempt, for the result it was about. */
  problemFor: (id: string) => Problem | undefined;
}

const problemOf = (message: string): Problem => ({ code: Code.FailedPrecondition, message, fields: {}, retryAfterSeconds: undefined });

/** `onPriceChanged` runs when StartBooking says the price moved: the page fetches prices again. */
export function useBook(onPriceChanged?: () => void): BookState {
  const api = useApi();
  const session = useSession();
  const [pending, setPending] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<{ id: string; problem: Problem } | undefined>(undefined);
  const here = () => window.location.pathname + window.location.search;

  const book = async (id: string, booking: Booking, flexible: boolean) => {
    setFailure(undefined);
    if (session.status === "ready" && !session.customer) {
      navigate(signInUrl(here()));
      return;
    }
    if ("problem" in booking) {
      setFailure({ id, problem: problemOf(booking.problem) });
      return;
    }
    setPending(id);
    try {
      const res = await api.startBooking({
        idempotencyKey: newIdempotencyKey(),
        quotes: booking.quotes,
        flexible,
      });
      // Leaving for the gateway: the button stays busy until the page unloads.
      window.location.assign(res.redirectUrl);
    } catch (e) {
      setPending(undefined);
      if (isUnauthenticated(e)) {
        navigate(signInUrl(here()));
        return;
      }
      const problem = describeError(e, "the booking service");
      // The BFF says what changed (the price, an expired quote) in its own words;
      // the page fetches prices again so that the next click books what is shown.
      if (problem.code === Code.FailedPrecondition) onPriceChanged?.();
      setFailure({ id, problem });
    }
  };

  return { book, pending, problemFor: (id) => (failure?.id === id ? failure.problem : undefined) };
}
