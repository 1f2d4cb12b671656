// CountReservationsByState: the operator's chart of recent bookings. The
// reservations made in each bucket of a recent window, counted by the state
// each is in NOW (booking keeps a reservation's current state, not its
// history). Buckets are aligned to multiples of their width since the epoch,
// the last one holding now, so two operators looking at once see the same
// bars; every bucket is answered, empty ones too. The window is bounded
// (statsChecks) so one call reads at most a week of rows, through the
// reservations_by_create_time index.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { invalidArgument } from "../../endpoints/errors.js";
import { summarise } from "../../endpoints/middleware/validation.js";
import { intRange, validator, violation, type Check } from "../../endpoints/rules.js";
import type { Service } from "../../endpoints/service.js";
import type { BookingService, CountReservationsByStateRequest } from "../../gen/itinera/booking/v1/booking_pb.js";
import type { BookingServiceDeps } from "./deps.js";

export const DEFAULT_WINDOW_HOURS = 24;
export const MAX_WINDOW_HOURS = 168;
export const DEFAULT_BUCKET_MINUTES = 60;
export const MIN_BUCKET_MINUTES = 5;
export const MAX_BUCKET_MINUTES = 1440;
export const MAX_BUCKETS = 288;

/** The window and bucket a request asks for, its zeros replaced by the defaults. */
export function statsWindow(req: CountReservationsByStateRequest): { windowHours: number; bucketMinutes: number } {
  return { windowHours: req.windowHours || DEFAULT_WINDOW_HOURS, bucketMinutes: req.bucketMinutes || DEFAULT_BUCKET_MINUTES };
}

/** What CountReservationsByState accepts (validators.ts). */
export function statsChecks(req: CountReservationsByStateRequest): Check[] {
  const { windowHours, bucketMinutes } = statsWindow(req);
  const inRange = [intRange("window_hours", windowHours, 1, MAX_WINDOW_HOURS), intRange("bucket_minutes", bucketMinutes, MIN_BUCKET_MINUTES, MAX_BUCKET_MINUTES)];
  if (inRange.some(Boolean)) return inRange;
  const windowMinutes = windowHours * 60;
  return [
    windowMinutes % bucketMinutes !== 0 && violation("bucket_minutes", "divides_window", `must divide the window (${windowMinutes} minutes) into whole buckets`),
    windowMinutes / bucketMinutes > MAX_BUCKETS && violation("bucket_minutes", "max_buckets", `makes ${windowMinutes / bucketMinutes} buckets; at most ${MAX_BUCKETS}: choose a wider bucket or a shorter window`),
  ];
}

export function countReservationsByState(deps: Pick<BookingServiceDeps, "store" | "now">): Service<typeof BookingService>["countReservationsByState"] {
  const now = deps.now ?? (() => new Date());
  const validate = validator(statsChecks);
  return async (_ctx, req) => {
    // Checked here too: a direct call (no validation middleware) cannot ask for an unbounded scan either.
    const violations = validate(req);
    if (violations.length > 0) throw invalidArgument(summarise(violations), violations);
    const { windowHours, bucketMinutes } = statsWindow(req);
    const bucketMs = bucketMinutes * 60_000;
    const end = (Math.floor(now().getTime() / bucketMs) + 1) * bucketMs;
    const buckets = await deps.store.countByState({ from: new Date(end - windowHours * 3_600_000), to: new Date(end), bucketMinutes });
    return {
      bucketMinutes,
      buckets: buckets.map((b) => ({ ...b, startTime: timestampFromDate(b.start) })),
    };
  };
}
