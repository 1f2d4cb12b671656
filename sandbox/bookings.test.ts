import { XMLParser } from "fast-xml-parser";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dateOf } from "./calendar.js";
import { generateInventory } from "./inventory.js";
import { startCasa } from "./casa.js";
import { startSkylark } from "./skylark.js";
import { startWanderly, type RunningWanderly } from "./wanderly.js";
import type { RunningSeller } from "./seller-server.js";

const inv = generateInventory({ seed: 5, today: "2026-03-20", cities: 3, hotelsPerCity: 4, days: 10, pairs: 3 });
const day = (n: number) => dateOf(inv.todayDay + n);
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });

let sky: RunningSeller;
let casa: RunningSeller;
let wl: RunningWanderly;
test.before(async () => {
  sky = await startSkylark({ inventory: inv });
  casa = await startCasa({ inventory: inv });
  wl = await startWanderly({ inventory: inv, share: 0.5, pushOnStart: false, intervalMs: 0, webhookUrl: "http://127.0.0.1:9/none" });
});
test.after(async () => {
  await Promise.all([sky.close(), casa.close(), wl.close()]);
});
test.before.each(async () => {
  await Promise.all([sky, casa, wl].map((s) => fetch(`${s.url}/admin/reset`, { method: "POST" })));
});

type Json = Record<string, unknown>;
async function post(url: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}
async function postXml(url: string, body: string): Promise<{ status: number; doc: Json; text: string }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/xml" }, body });
  const text = await res.text();
  return { status: res.status, doc: xml.parse(text) as Json, text };
}
const get = async (url: string) => (await (await fetch(url)).json()) as Json & Json[];
const bookings = (s: RunningSeller) => get(`${s.url}/admin/bookings`);
const stats = (s: RunningSeller) => get(`${s.url}/admin/stats`);
const refuse = (s: RunningSeller, mode: string, ratio?: number) => post(`${s.url}/admin/bookings`, { refuse: mode, ratio });

/** Two flight ids as SkyLark's schedules list them: one out, one back. */
async function skylarkFlights(): Promise<[string, string]> {
  const { from, to } = inv.routes[0]!;
  const out = (await get(`${sky.url}/v1/schedules?from=${from}&to=${to}&date=${day(2)}`)).flights as Json[];
  const back = (await get(`${sky.url}/v1/schedules?from=${to}&to=${from}&date=${day(5)}`)).flights as Json[];
  return [out[0]!.id as string, back[0]!.id as string];
}

const casaBooking = (ref: string, hotel: string, room: string, checkIn = day(1), checkOut = day(3)) =>
  `<BookingRequest ref="${ref}" hotel="${hotel}" room="${room}" checkIn="${checkIn}" checkOut="${checkOut}"/>`;

test("SkyLark tickets flights by the ids of its schedules; a replay answers the same ticket (200) and is only counted", async () => {
  const [out, back] = await skylarkFlights();
  assert.match(out, /^SL\d+-2026-03-22$/);
  const fares = (await get(`${sky.url}/v1/fares?from=${inv.routes[0]!.from}&to=${inv.routes[0]!.to}&date=${day(2)}`)).fares as Json[];
  assert.ok(fares.some((f) => f.id === out), "fares carry the same id");
  const first = await post(`${sky.url}/v2/bookings`, { booking_ref: "res_1", flights: [out, back] });
  assert.is(first.status, 201);
  assert.match(first.body.locator as string, /^SK[A-HJ-NP-Z2-9]{6}$/);
  assert.equal(first.body, { booking_ref: "res_1", locator: first.body.locator, status: "TICKETED" });
  const again = await post(`${sky.url}/v2/bookings`, { booking_ref: "res_1", flights: [out, back] });
  assert.equal([again.status, again.body], [200, first.body]);
  assert.equal(await bookings(sky), [{ booking_ref: "res_1", confirmation: first.body.locator, status: "CONFIRMED", reason: "", requests: 2 }]);
  assert.equal([(await stats(sky)).bookings, (await stats(sky)).booking_refusals], [1, 0]);
});

test("SkyLark refuses flights it does not sell (409 with the reason) and answers 400 to malformed requests", async () => {
  const [out] = await skylarkFlights();
  for (const [ref, id] of [["res_2", "SL9999-2026-03-22"], ["res_3", out.replace(/\d{4}-\d\d-\d\d$/, "2026-03-19")], ["res_4", "hello"]]) {
    const res = await post(`${sky.url}/v2/bookings`, { booking_ref: ref, flights: [out, id] });
    assert.equal([res.status, res.body], [409, { booking_ref: ref, status: "REFUSED", reason: `unknown flight ${id}` }]);
  }
  assert.is((await stats(sky)).booking_refusals, 3);
  for (const bad of [{ flights: [out] }, { booking_ref: "res_5", flights: [] }, { booking_ref: "res_5", flights: [1] }, "not json"]) {
    const res = await post(`${sky.url}/v2/bookings`, bad);
    assert.is(res.status, 400, JSON.stringify(bad));
    assert.type(res.body.error, "string");
  }
});

test("Casa confirms a room by the hotel and room codes of /xml/hotels; unknown ids and unsold nights are refused", async () => {
  const hotels = xml.parse(await (await fetch(`${casa.url}/xml/hotels?size=1`)).text()).hotels.hotel as Json;
  const hotel = hotels.code as string;
  const room = ((hotels.rooms as Json).room as Json[])[0]!.code as string;
  const first = await postXml(`${casa.url}/xml/bookings`, casaBooking("res_10", hotel, room));
  assert.is(first.status, 200);
  const confirmed = first.doc.BookingResponse as Json;
  assert.match(confirmed.code as string, /^CASA-[A-HJ-NP-Z2-9]{8}$/);
  assert.equal(confirmed, { ref: "res_10", status: "CONFIRMED", code: confirmed.code });
  const again = await postXml(`${casa.url}/xml/bookings`, casaBooking("res_10", hotel, room));
  assert.is(again.text, first.text);
  for (const [ref, xmlBody, reason] of [
    ["res_11", casaBooking("res_11", hotel, "PENTHOUSE"), `unknown room PENTHOUSE at hotel ${hotel}`],
    ["res_12", casaBooking("res_12", "P999999", room), "unknown hotel P999999"],
    ["res_13", casaBooking("res_13", hotel, room, day(9), day(11)), /^no rates for the nights 2026-03-29 to 2026-03-30/],
  ] as const) {
    const res = await postXml(`${casa.url}/xml/bookings`, xmlBody);
    assert.is(res.status, 200);
    const r = res.doc.BookingResponse as Json;
    assert.equal([r.ref, r.status], [ref, "REFUSED"]);
    if (typeof reason === "string") assert.is(r.reason, reason);
    else assert.match(r.reason as string, reason);
  }
  const list = (await bookings(casa)) as Json[];
  assert.equal(list.map((b) => [b.booking_ref, b.status, b.requests]), [["res_10", "CONFIRMED", 2], ["res_11", "REFUSED", 1], ["res_12", "REFUSED", 1], ["res_13", "REFUSED", 1]]);
  for (const bad of ["<BookingRequest", "<Other/>", `<BookingRequest ref="r" room="x" checkIn="${day(1)}" checkOut="${day(2)}"/>`,
    casaBooking("r", hotel, room, day(3), day(3)), casaBooking("r", hotel, room, "tomorrow", day(3))]) {
    const res = await postXml(`${casa.url}/xml/bookings`, bad);
    assert.is(res.status, 400, bad);
    assert.type((res.doc.error as Json)["#text"], "string");
  }
});

test("Wanderly confirms a product of its listings and quotes; a replay is the same; a room it does not sell is refused", async () => {
  const sold = wl.offer.hotels[0]!;
  const quote = await get(`${wl.url}/api/quote/hotel?property=${sold.code}&check_in=${day(1)}&check_out=${day(2)}`);
  const product = (quote.rooms as Json[])[0]!.product as string;
  assert.is(product, `${sold.code}:${sold.rooms[0]!.code}`);
  const body = { request_id: "res_20", product, check_in: day(1), check_out: day(4) };
  const first = await post(`${wl.url}/api/bookings`, body);
  assert.is(first.status, 201);
  assert.match(first.body.confirmation as string, /^WL[A-HJ-NP-Z2-9]{8}$/);
  assert.equal(first.body, { request_id: "res_20", confirmation: first.body.confirmation, status: "CONFIRMED" });
  assert.equal(await post(`${wl.url}/api/bookings`, body), { status: 200, body: first.body });
  const notSold = inv.hotels.find((h) => !wl.offer.sellsHotel(h.code))!;
  for (const p of [`${notSold.code}:${notSold.rooms[0]!.code}`, `${sold.code}:PENTHOUSE`, sold.code]) {
    const res = await post(`${wl.url}/api/bookings`, { ...body, request_id: `res_${p}`, product: p });
    assert.equal([res.status, res.body], [409, { request_id: `res_${p}`, status: "REFUSED", reason: `unknown room ${p}` }]);
  }
  assert.is((await post(`${wl.url}/api/bookings`, { ...body, request_id: "res_21", check_in: "2026-13-01" })).status, 400);
  assert.equal([(await stats(wl)).bookings, (await stats(wl)).booking_refusals], [1, 3]);
});

test("each seller cancels a confirmed booking by our reference: a repeat answers the same, a cancelled ref is not booked again, unknown and refused refs are errors", async () => {
  // SkyLark
  const [out] = await skylarkFlights();
  const ticket = await post(`${sky.url}/v2/bookings`, { booking_ref: "res_c1", flights: [out] });
  const cancelled = { booking_ref: "res_c1", locator: ticket.body.locator, status: "CANCELLED" };
  assert.equal(await post(`${sky.url}/v2/bookings/cancel`, { booking_ref: "res_c1" }), { status: 200, body: cancelled });
  assert.equal(await post(`${sky.url}/v2/bookings/cancel`, { booking_ref: "res_c1" }), { status: 200, body: cancelled }, "idempotent");
  const rebook = await post(`${sky.url}/v2/bookings`, { booking_ref: "res_c1", flights: [out] });
  assert.equal([rebook.status, rebook.body.status, rebook.body.reason], [409, "REFUSED", "booking res_c1 was cancelled"]);
  const unknown = await post(`${sky.url}/v2/bookings/cancel`, { booking_ref: "res_nobody" });
  assert.equal([unknown.status, unknown.body.error], [404, "no booking with reference res_nobody: nothing to cancel"]);
  await post(`${sky.url}/v2/bookings`, { booking_ref: "res_c2", flights: ["SL999-2026-03-22"] });
  const refused = await post(`${sky.url}/v2/bookings/cancel`, { booking_ref: "res_c2" });
  assert.equal([refused.status, refused.body.error], [409, "booking res_c2 was refused (unknown flight SL999-2026-03-22): nothing to cancel"]);
  assert.is((await post(`${sky.url}/v2/bookings/cancel`, { booking_ref: "" })).status, 400);
  assert.equal(((await bookings(sky)) as Json[]).map((b) => [b.booking_ref, b.status]), [["res_c1", "CANCELLED"], ["res_c2", "REFUSED"]]);
  assert.is((await stats(sky)).booking_cancellations, 1, "counted once");

  // Casa
  const hotels = xml.parse(await (await fetch(`${casa.url}/xml/hotels?size=1`)).text()).hotels.hotel as Json;
  const room = ((hotels.rooms as Json).room as Json[])[0]!.code as string;
  const booked = (await postXml(`${casa.url}/xml/bookings`, casaBooking("res_c3", hotels.code as string, room))).doc.BookingResponse as Json;
  for (let i = 0; i < 2; i++) {
    const res = await postXml(`${casa.url}/xml/cancellations`, `<CancelRequest ref="res_c3"/>`);
    assert.equal([res.status, res.doc.CancelResponse], [200, { ref: "res_c3", status: "CANCELLED", code: booked.code }]);
  }
  const none = await postXml(`${casa.url}/xml/cancellations`, `<CancelRequest ref="res_nobody"/>`);
  assert.equal([none.status, (none.doc.error as Json)["#text"]], [404, "no booking with reference res_nobody: nothing to cancel"]);
  assert.is((await postXml(`${casa.url}/xml/cancellations`, `<BookingRequest ref="res_c3"/>`)).status, 400);

  // Wanderly
  const sold = wl.offer.hotels[0]!;
  const body = { request_id: "res_c4", product: `${sold.code}:${sold.rooms[0]!.code}`, check_in: day(1), check_out: day(2) };
  const confirmation = (await post(`${wl.url}/api/bookings`, body)).body.confirmation;
  for (let i = 0; i < 2; i++) {
    assert.equal(await post(`${wl.url}/api/bookings/cancel`, { request_id: "res_c4" }), {
      status: 200,
      body: { request_id: "res_c4", confirmation, status: "CANCELLED" },
    });
  }
  assert.is((await post(`${wl.url}/api/bookings/cancel`, { request_id: "res_nobody" })).status, 404);
});

test("refuse all: new refs are refused with a reason; a ref's answer never changes afterwards", async () => {
  const [out] = await skylarkFlights();
  assert.equal((await post(`${sky.url}/v2/bookings`, { booking_ref: "res_30", flights: [out] })).status, 201);
  assert.equal((await refuse(sky, "all")).body, { refuse: "all", ratio: 0.2 });
  const refused = await post(`${sky.url}/v2/bookings`, { booking_ref: "res_31", flights: [out] });
  assert.is(refused.status, 409);
  assert.match(refused.body.reason as string, /no availability/);
  assert.is((await post(`${sky.url}/v2/bookings`, { booking_ref: "res_30", flights: [out] })).status, 200, "booked before: still booked");
  await refuse(sky, "none");
  assert.is((await post(`${sky.url}/v2/bookings`, { booking_ref: "res_31", flights: [out] })).status, 409, "refused: stays refused");
  assert.equal([(await stats(sky)).bookings, (await stats(sky)).booking_refusals], [1, 1]);
  assert.is((await refuse(sky, "maybe")).status, 400);
  assert.is((await refuse(sky, "some", 1.5)).status, 400);
});

test("refuse some: refused by a hash of the ref, so the same refs are refused every time, about `ratio` of them", async () => {
  const hotel = inv.hotels[0]!;
  const refs = Array.from({ length: 40 }, (_, i) => `res_${100 + i}`);
  const run = async () => {
    await refuse(casa, "some", 0.5);
    const out: string[] = [];
    for (const ref of refs) {
      const res = await postXml(`${casa.url}/xml/bookings`, casaBooking(ref, hotel.code, hotel.rooms[0]!.code));
      if ((res.doc.BookingResponse as Json).status === "REFUSED") out.push(ref);
    }
    return out;
  };
  const refused = await run();
  assert.ok(refused.length > 5 && refused.length < 35, `${refused.length} of 40 refused`);
  await fetch(`${casa.url}/admin/reset`, { method: "POST" });
  assert.equal(await bookings(casa), [], "reset forgets bookings");
  assert.equal(await run(), refused, "the same refs after a reset");
});

test("the seller's modes apply to bookings: down drops the connection, fail is 500, and neither books", async () => {
  const product = `${wl.offer.hotels[0]!.code}:${wl.offer.hotels[0]!.rooms[0]!.code}`;
  const body = { request_id: "res_40", product, check_in: day(1), check_out: day(2) };
  await post(`${wl.url}/admin/mode`, { mode: "down" });
  const dropped = await fetch(`${wl.url}/api/bookings`, { method: "POST", body: JSON.stringify(body) }).then(
    () => false,
    () => true,
  );
  assert.ok(dropped, "no answer while down");
  await post(`${wl.url}/admin/mode`, { mode: "fail" });
  assert.is((await post(`${wl.url}/api/bookings`, body)).status, 500);
  assert.equal(await bookings(wl), []);
  await post(`${wl.url}/admin/mode`, { mode: "normal" });
  assert.is((await post(`${wl.url}/api/bookings`, body)).status, 201);
  assert.equal(((await bookings(wl)) as Json[]).map((b) => b.requests), [1]);
});

test.run();
