// ListTrips' cursor in its page token (endpoints/page-tokens.ts signs it,
// bound to the signed-in customer): where each source's next page starts —
// booking's ListReservations token and payment's ListPayments token, each
// signed by its own service (which checks it again; "" is its first page), or
// null once that source has nothing more.
import type { CursorCodec } from "../../endpoints/page-tokens.js";

/** Where each source's next page starts; `undefined`: that source has nothing more. */
export interface TripsCursor {
  reservations: string | undefined;
  payments: string | undefined;
}

/** A source's page token as the services write them (base64url and a dot; "" for its first page); their own check is theirs. */
const SOURCE_TOKEN = /^[A-Za-z0-9_.-]{0,200}$/;

export const tripsCursor: CursorCodec<TripsCursor> = {
  write: (c) => JSON.stringify([c.reservations ?? null, c.payments ?? null]),
  read(text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const part = (v: unknown) => (v === null ? undefined : typeof v === "string" && SOURCE_TOKEN.test(v) ? v : false);
    const [reservations, payments] = parsed.map(part);
    // A cursor always points somewhere: a finished list has no token at all.
    if (reservations === false || payments === false || (reservations === undefined && payments === undefined)) return undefined;
    return { reservations, payments };
  },
};
