// What every sandbox seller does with bookings, whatever its wire format:
// one booking per booking reference (our reservation id) however often it is
// sent — the first request decides (confirmed, or refused with a reason) and
// every later one gets the same answer and is only counted. A confirmed
// booking is cancelled by the same reference (cancel): cancelling again
// answers the same, booking a cancelled reference again is refused, and
// cancelling a reference the seller never booked (404) or refused (409) is
// an error that says so. Tests steer
// refusals with POST /admin/bookings {"refuse":"none"|"all"|"some","ratio":0.2};
// "some" refuses by a hash of the reference, so it is the same refs every run.
//   GET /admin/bookings → [{booking_ref, confirmation|null, status, requests, +reason}]
// Stats: `bookings` (confirmed), `booking_refusals`, `booking_cancellations`. POST /admin/reset forgets them all.
import { randomBytes } from "node:crypto";
import type { SellerAdmin } from "./admin.js";
import { dayNumber, dateOf } from "./calendar.js";
import { HttpError, jsonObject, jsonReply, readBody, type Api } from "./http.js";
import { inWindow, type Inventory } from "./inventory.js";
import { hash, hashString, unit } from "./random.js";

export const REFUSE_MODES = ["none", "all", "some"] as const;
export type RefuseMode = (typeof REFUSE_MODES)[number];

export interface BookingRecord {
  booking_ref: string;
  confirmation: string | null;
  status: "CONFIRMED" | "REFUSED" | "CANCELLED";
  /** Why it was refused or is no longer booked ("" when confirmed). */
  reason: string;
  /** How many times this ref was sent. */
  requests: number;
}

// No 0/O or 1/I: codes are read out over the phone.
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export class BookingDesk {
  private readonly records = new Map<string, BookingRecord>();
  private readonly codes = new Set<string>();
  private refuse: RefuseMode = "none";
  private ratio = 0.2;
  private admin: SellerAdmin | undefined;

  /** `prefix` + `length` random characters make a confirmation code ("SK" + 6: "SK7QX2MA"). */
  constructor(
    private readonly prefix: string,
    private readonly length: number,
  ) {}

  /** Counts into the seller's stats and is forgotten on its reset. */
  attach(admin: SellerAdmin): void {
    this.admin = admin;
    admin.onReset(() => this.reset());
  }

  /**
   * The one booking of `ref`. On its first request `check` says why the seller
   * cannot sell it (unknown ids, dates it does not sell) or undefined; then the
   * refuse policy applies. Later requests get the same record.
   */
  book(ref: string, check: () => string | undefined): BookingRecord {
    const known = this.records.get(ref);
    if (known) {
      known.requests++;
      return known;
    }
    const reason = check() ?? this.policyRefusal(ref);
    const record: BookingRecord = reason
      ? { booking_ref: ref, confirmation: null, status: "REFUSED", reason, requests: 1 }
      : { booking_ref: ref, confirmation: this.newCode(), status: "CONFIRMED", reason: "", requests: 1 };
    this.records.set(ref, record);
    this.admin?.count(reason ? "booking_refusals" : "bookings");
    return record;
  }

  /**
   * Cancels the confirmed booking of `ref` (a repeat answers the same
   * record); 404 when the seller never booked `ref`, 409 when it refused it.
   */
  cancel(ref: string): BookingRecord {
    const known = this.records.get(ref);
    if (!known) throw new HttpError(404, `no booking with reference ${ref}: nothing to cancel`);
    if (known.status === "REFUSED") throw new HttpError(409, `booking ${ref} was refused (${known.reason}): nothing to cancel`);
    if (known.status === "CONFIRMED") {
      known.status = "CANCELLED";
      known.reason = `booking ${ref} was cancelled`;
      this.admin?.count("booking_cancellations");
    }
    return known;
  }

  list(): BookingRecord[] {
    return [...this.records.values()];
  }

  reset(): void {
    this.records.clear();
    this.codes.clear();
    this.refuse = "none";
    this.ratio = 0.2;
  }

  /** POST and GET /admin/bookings. */
  adminApis(): Api[] {
    return [
      {
        method: "POST",
        path: "/admin/bookings",
        handle: async (req) => {
          const o = jsonObject(await readBody(req.raw));
          if (!REFUSE_MODES.includes(o.refuse as RefuseMode)) throw new HttpError(400, `"refuse" must be one of ${REFUSE_MODES.join(", ")}`);
          const ratio = o.ratio ?? this.ratio;
          if (typeof ratio !== "number" || !(ratio >= 0 && ratio <= 1)) throw new HttpError(400, `"ratio" must be a number from 0 to 1`);
          this.refuse = o.refuse as RefuseMode;
          this.ratio = ratio;
          return jsonReply({ refuse: this.refuse, ratio: this.ratio });
        },
      },
      { method: "GET", path: "/admin/bookings", handle: () => jsonReply(this.list()) },
    ];
  }

  private policyRefusal(ref: string): string | undefined {
    // FNV-1a alone leaves the high bits of similar refs ("res_100", "res_101") alike: mixed again.
    const refused = this.refuse === "all" || (this.refuse === "some" && unit(hash(hashString(ref))) < this.ratio);
    return refused ? `no availability left for this booking (sandbox refuse mode "${this.refuse}")` : undefined;
  }

  private newCode(): string {
    for (;;) {
      const bytes = randomBytes(this.length);
      const code = this.prefix + Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
      if (!this.codes.has(code)) {
        this.codes.add(code);
        return code;
      }
    }
  }
}

/** A booking reference from a request: a non-empty string of at most 200 characters. */
export function bookingRef(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new HttpError(400, `"${name}" must be a non-empty string`);
  if (value.length > 200) throw new HttpError(400, `"${name}" must be at most 200 characters`);
  return value;
}

export interface StayDays {
  checkIn: number;
  checkOut: number;
}

/** check-in/check-out dates (400 when malformed or not in order). */
export function stayDays(checkIn: unknown, checkOut: unknown, names: [string, string]): StayDays {
  const day = (v: unknown, name: string) => {
    const d = typeof v === "string" ? dayNumber(v) : undefined;
    if (d === undefined) throw new HttpError(400, `"${name}" must be a date YYYY-MM-DD`);
    return d;
  };
  const stay = { checkIn: day(checkIn, names[0]), checkOut: day(checkOut, names[1]) };
  if (stay.checkOut <= stay.checkIn) throw new HttpError(400, `"${names[1]}" must be after "${names[0]}"`);
  return stay;
}

/** Why a stay cannot be sold (a night outside the sellable window), or undefined. */
export function unsellableStay(inv: Inventory, stay: StayDays): string | undefined {
  if (inWindow(inv, stay.checkIn) && inWindow(inv, stay.checkOut - 1)) return undefined;
  const last = inv.todayDay + inv.days - 1;
  return `no rates for the nights ${dateOf(stay.checkIn)} to ${dateOf(stay.checkOut - 1)}: nights from ${inv.today} to ${dateOf(last)} are sold`;
}
