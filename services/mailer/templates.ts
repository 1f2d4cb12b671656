// The three e-mails, as plain text and simple HTML built from the same
// content: the invoice (confirmed), the apology with the refund (failed) and
// the cancellation with the fee and the refund (cancelled). Pure functions of
// the reservation as the event carries it and the customer's name: no card
// data exists here, and nothing is looked up.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import { formatMoney } from "../../platform/money.js";
import type { EmailType } from "./store.js";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** What an e-mail says, before it is laid out as text or HTML. */
export interface Content {
  subject: string;
  /** Paragraphs before the details. */
  intro: string[];
  /** What was booked: label and value. */
  details: [string, string][];
  /** The money: label and amount. */
  amounts: [string, string][];
  /** Paragraphs after the amounts. */
  outro: string[];
}

export function renderEmail(kind: EmailType, r: Reservation, customerName: string): RenderedEmail {
  return layout(CONTENT[kind](r), customerName);
}

/** Content laid out as the plain text and the HTML of one e-mail. */
export function layout(content: Content, customerName: string): RenderedEmail {
  return {
    subject: content.subject,
    text: asText(content, customerName),
    html: asHtml(content, customerName),
  };
}

const CONTENT: Record<EmailType, (r: Reservation) => Content> = {
  invoice(r) {
    const currency = currencyOf(r);
    const amount = r.amount?.amountMinor ?? 0n;
    const markdown = r.markdown?.amountMinor ?? 0n;
    return {
      subject: `Your booking is confirmed: ${titleOf(r)}`,
      intro: ["Your booking is confirmed. This e-mail is your invoice."],
      details: details(r),
      amounts: [
        ["Price", formatMoney(amount + markdown, currency)],
        ...(markdown > 0n ? [["Paid from your wallet", formatMoney(markdown, currency)] as [string, string]] : []),
        ["Charged to your card", formatMoney(amount, currency)],
      ],
      outro: ["Have a good trip!"],
    };
  },
  apology(r) {
    const currency = currencyOf(r);
    const markdown = r.markdown?.amountMinor ?? 0n;
    const reason = oneLine(r.failureReason);
    return {
      subject: `We could not book ${titleOf(r)}`,
      intro: [
        `We are sorry: the seller could not book ${titleOf(r)}, so your booking did not go through.`,
        ...(reason ? [`The reason: ${reason}`] : []),
      ],
      details: details(r),
      amounts: [
        ["Refunded to your card", moneyField(r.refunded, currency)],
        ...(markdown > 0n ? [["Released to your wallet", formatMoney(markdown, currency)] as [string, string]] : []),
      ],
      outro: [
        `We refunded ${moneyField(r.refunded, currency)} to your card; it may take a few days to show on your statement.`,
        ...(markdown > 0n
          ? [`The wallet discount of ${formatMoney(markdown, currency)} was released: it is back in your wallet.`]
          : []),
      ],
    };
  },
  cancellation(r) {
    const currency = currencyOf(r);
    const fee = r.cancellationFee?.amountMinor ?? 0n;
    return {
      subject: `Your booking is cancelled: ${titleOf(r)}`,
      intro: ["Your booking is cancelled, as you asked."],
      details: details(r),
      amounts: [
        ["Cancellation fee", moneyField(r.cancellationFee, currency)],
        ["Refunded to your card", moneyField(r.refunded, currency)],
      ],
      outro: [
        fee > 0n
          ? `We kept a cancellation fee of ${moneyField(r.cancellationFee, currency)} and refunded ${moneyField(r.refunded, currency)} to your card.`
          : `Cancelling cost nothing: we refunded ${moneyField(r.refunded, currency)} to your card.`,
        "The refund may take a few days to show on your statement.",
      ],
    };
  },
};

function details(r: Reservation): [string, string][] {
  const rows: [string, string][] = [["Booking", titleOf(r)]];
  const kind = r.item?.kind;
  if (kind?.case === "hotelStay") {
    const { checkIn, checkOut } = kind.value;
    rows.push(["Check-in", isoDate(checkIn)], ["Check-out", isoDate(checkOut)]);
    const n = nights(checkIn, checkOut);
    if (n !== undefined) rows.push(["Nights", String(n)]);
  } else if (kind?.case === "flightTrip") {
    rows.push(["Outbound flight", kind.value.outboundFlightId]);
    if (kind.value.returnFlightId) rows.push(["Return flight", kind.value.returnFlightId]);
  }
  rows.push(["Reservation", r.reservationId]);
  if (r.sellerReference) rows.push(["Seller's reference", r.sellerReference]);
  if (r.createTime) rows.push(["Booked on", timestampDate(r.createTime).toISOString().slice(0, 10)]);
  return rows;
}

function currencyOf(r: Reservation): string {
  return r.amount?.currency || "EUR";
}

/** A Money field as text; an absent one is zero in `currency`. */
function moneyField(m: Money | undefined, currency: string): string {
  return formatMoney(m?.amountMinor ?? 0n, m?.currency || currency);
}

/** The item's title on one line (it goes into a header), or a neutral phrase. */
function titleOf(r: Reservation): string {
  return oneLine(r.item?.title ?? "").slice(0, 150) || "your booking";
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function isoDate(d: CalendarDate | undefined): string {
  if (!d) return "-";
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

function nights(a: CalendarDate | undefined, b: CalendarDate | undefined): number | undefined {
  if (!a || !b) return undefined;
  const days = (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000;
  return days > 0 ? days : undefined;
}

function greeting(name: string): string {
  const n = oneLine(name);
  return n ? `Hello ${n},` : "Hello,";
}

function asText(c: Content, name: string): string {
  const table = (rows: [string, string][]) => {
    const width = Math.max(...rows.map(([label]) => label.length)) + 2;
    return rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value}`).join("\n");
  };
  const tables = [c.details, c.amounts].filter((rows) => rows.length > 0).map(table);
  return [greeting(name), ...c.intro, ...tables, ...c.outro, "Itinera"].join("\n\n") + "\n";
}

function asHtml(c: Content, name: string): string {
  const p = (s: string) => `<p>${escapeHtml(s)}</p>`;
  const table = (rows: [string, string][]) =>
    `<table cellpadding="4">${rows
      .map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
      .join("")}</table>`;
  return [
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(c.subject)}</title></head><body>`,
    p(greeting(name)),
    ...c.intro.map(p),
    ...[c.details, c.amounts].filter((rows) => rows.length > 0).map(table),
    ...c.outro.map(p),
    p("Itinera"),
    "</body></html>",
  ].join("\n");
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}
