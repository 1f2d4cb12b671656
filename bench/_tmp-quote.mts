import { quoteSigner, quoteTimes, DEVELOPMENT_QUOTE_SECRET } from "../platform/quotes.js";
const sign = quoteSigner(DEVELOPMENT_QUOTE_SECRET);
const q = (i: number) => ({
  item: { sellerId: "casa", title: `Casa Alfama, Lisbon — Double room ${i}, 3 nights`, kind: { case: "hotelStay" as const, value: { hotelId: "h-P000001", roomId: "DBL-STD", checkIn: { year: 2026, month: 12, day: 5 }, checkOut: { year: 2026, month: 12, day: 8 }, starRating: 4 } } },
  listed: { amountMinor: 50000n, currency: "EUR" }, markdown: { amountMinor: 10000n, currency: "EUR" }, flexible: { amountMinor: 5000n, currency: "EUR" },
  walletAvailable: { amountMinor: 10000n, currency: "EUR" }, customerId: "c-123456789", ...quoteTimes(new Date()),
});
for (let i = 0; i < 2000; i++) sign(q(i));
const N = 20000; const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) sign(q(i));
const c = process.cpuUsage(c0);
console.log("sign µs", ((c.user + c.system) / N).toFixed(2));
const c1 = process.cpuUsage();
for (let i = 0; i < N; i++) JSON.stringify(q(i), (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
const c2 = process.cpuUsage(c1);
console.log("json key µs", ((c2.user + c2.system) / N).toFixed(2));
