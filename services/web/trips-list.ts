// ListTrips, "My trips": the customer's reservations (booking) and their
// payments that never became one — declined, still pending, expired
// (payment's ListPayments in those states) — newest first, under one cursor.
// Every reservation is made from an AUTHORISED payment, so the two sources
// never hold the same trip. (An authorised payment whose reservation booking
// has not made yet — a second or two after the gateway — is in neither: the
// trip page follows it by payment id.)
//
// Merging: each page asks both sources for a page from where the cursor left
// each, takes the newest `size` trips of the two (by create time), and writes
// for each source where its next page starts: its own next_page_token when
// the whole page it answered was taken, the same token when none of it was,
// and otherwise the token after exactly the trips taken (asked for with
// page_size = that count: both sources page by keyset, so the same token
// answers the same prefix). A trip is thus on exactly one page, whatever the
// order of create times between the sources. The cursor is both sources'
// tokens (trips-cursor.ts), in a page token signed with WEB_PAGE_TOKEN_SECRET
// and bound to the signed-in customer (endpoints/page-tokens.ts); each source
// checks its own token again.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { Context } from "../../endpoints/context.js";
import { customerOf } from "../../endpoints/middleware/access.js";
import { pageTokens } from "../../endpoints/page-tokens.js";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState, type Payment } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { ListTripsRequest, ListTripsResponseSchema } from "../../gen/itinera/web/v1/web_pb.js";
import type { WebServiceDeps } from "./deps.js";
import { tripOf, type TripInit } from "./trip.js";
import { tripsCursor, type TripsCursor } from "./trips-cursor.js";

const DEFAULT_TRIPS_PAGE = 20;

/** The payments "My trips" lists beside the reservations: those that never became one. */
const UNRESERVED_STATES = [PaymentState.PENDING, PaymentState.DECLINED, PaymentState.EXPIRED];

const FIRST: TripsCursor = { reservations: "", payments: "" };

/** One source's page as the merge sees it. */
interface SourcePage<T> {
  items: T[];
  nextPageToken: string;
}

type Fetch<T> = (pageToken: string, pageSize: number) => Promise<SourcePage<T>>;

export function listTrips(deps: WebServiceDeps) {
  const tokens = pageTokens({ secret: deps.pageTokenSecret, list: "ListTrips", codec: tripsCursor, scopeIs: "customer" });
  return async (ctx: Context, req: ListTripsRequest): Promise<MessageInitShape<typeof ListTripsResponseSchema>> => {
    const size = req.pageSize > 0 ? req.pageSize : DEFAULT_TRIPS_PAGE;
    const scope = [customerOf(ctx)];
    const cursor = tokens.start(scope, req.pageToken) ?? FIRST;
    const reservations: Fetch<Reservation> = async (pageToken, pageSize) => {
      const res = await deps.booking.listReservations(ctx, { pageSize, pageToken });
      return { items: res.reservations, nextPageToken: res.nextPageToken };
    };
    const payments: Fetch<Payment> = async (pageToken, pageSize) => {
      const res = await deps.payment.listPayments(ctx, { pageSize, pageToken, states: UNRESERVED_STATES });
      return { items: res.payments, nextPageToken: res.nextPageToken };
    };
    const [r, p] = await Promise.all([fetchFrom(reservations, cursor.reservations, size), fetchFrom(payments, cursor.payments, size)]);
    const dated = (createTime: Timestamp | undefined, trip: TripInit) => ({ createTime, trip });
    const { order, taken } = newestOf(
      r.items.map((x) => dated(x.createTime, tripOf(undefined, x))),
      p.items.map((x) => dated(x.createTime, tripOf(x, undefined))),
      size,
    );
    const trips = order.map((x) => x.trip);
    const [nextReservations, nextPayments] = await Promise.all([
      nextStart(reservations, cursor.reservations, r, taken[0]),
      nextStart(payments, cursor.payments, p, taken[1]),
    ]);
    const next: TripsCursor = { reservations: nextReservations, payments: nextPayments };
    const more = next.reservations !== undefined || next.payments !== undefined;
    return { trips, nextPageToken: more ? tokens.encode(scope, next) : "" };
  };
}

async function fetchFrom<T>(fetch: Fetch<T>, start: string | undefined, size: number): Promise<SourcePage<T>> {
  return start === undefined ? { items: [], nextPageToken: "" } : fetch(start, size);
}

/** Where a source's next page starts after `taken` items of the page it answered from `start`. */
async function nextStart<T>(fetch: Fetch<T>, start: string | undefined, page: SourcePage<T>, taken: number): Promise<string | undefined> {
  if (start === undefined) return undefined;
  if (taken === 0) return page.items.length === 0 ? undefined : start;
  if (taken === page.items.length) return page.nextPageToken === "" ? undefined : page.nextPageToken;
  // Part of the page was taken: the token after exactly those (there are more, so one comes back).
  return (await fetch(start, taken)).nextPageToken;
}

/** The newest `size` of two newest-first lists (by create time; a tie takes `a`'s first), and how many of each were taken. */
function newestOf<A extends Dated, B extends Dated>(a: A[], b: B[], size: number): { order: (A | B)[]; taken: [number, number] } {
  const order: (A | B)[] = [];
  let i = 0;
  let j = 0;
  while (order.length < size && (i < a.length || j < b.length)) {
    const takeA = j >= b.length || (i < a.length && compareTime(a[i]!.createTime, b[j]!.createTime) >= 0);
    order.push(takeA ? a[i++]! : b[j++]!);
  }
  return { order, taken: [i, j] };
}

interface Dated {
  createTime?: Timestamp | undefined;
}

function compareTime(x: Timestamp | undefined, y: Timestamp | undefined): number {
  const [xs, ys] = [x?.seconds ?? 0n, y?.seconds ?? 0n];
  if (xs !== ys) return xs > ys ? 1 : -1;
  return (x?.nanos ?? 0) - (y?.nanos ?? 0);
}
