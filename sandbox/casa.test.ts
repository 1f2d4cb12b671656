import { XMLParser, XMLValidator } from "fast-xml-parser";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCasa } from "./casa.js";
import { dateOf } from "./calendar.js";
import { generateInventory, hotelRates } from "./inventory.js";
import type { RunningSeller } from "./seller-server.js";
import { element, textElement } from "./xml.js";

// 17 cities reach Dublin (O'Connell Street) and Amsterdam (A'dam): names worth escaping.
const inv = generateInventory({ seed: 5, today: "2026-03-20", cities: 17, hotelsPerCity: 3, days: 10, pairs: 2 });
// Elements that repeat are always arrays ("city" repeats only in <aliases>: handled there).
const LISTS = new Set(["hotel", "room", "a", "img", "alias", "rate"]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  textNodeName: "text",
  trimValues: false,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && LISTS.has(name),
});
type Node = Record<string, unknown>;

let casa: RunningSeller;
test.before(async () => {
  casa = await startCasa({ inventory: inv, throttle: { ratePerSec: 1, burst: 3 } });
});
test.after(async () => {
  await casa.close();
});
test.before.each(async () => {
  await fetch(`${casa.url}/admin/reset`, { method: "POST" });
});

/** GETs XML, checks it is well-formed and parses it. */
async function getXml(path: string): Promise<{ status: number; doc: Node; contentType: string | null }> {
  const res = await fetch(casa.url + path);
  const text = await res.text();
  assert.is(XMLValidator.validate(text), true, `well-formed: ${text.slice(0, 200)}`);
  return { status: res.status, doc: parser.parse(text) as Node, contentType: res.headers.get("content-type") };
}

test("the XML writer escapes text and attributes so a real parser reads back the same strings", () => {
  const nasty = `Bed & Breakfast <"O'Connell"> \u0001`;
  const xml = element("hotel", { code: nasty }, textElement("name", nasty));
  assert.is(XMLValidator.validate(xml), true);
  const hotel = (parser.parse(xml) as { hotel: Node[] }).hotel[0]!;
  const clean = nasty.replace("\u0001", "");
  assert.equal([hotel.code, (hotel.name as Node[] | string)], [clean, clean]);
});

test("GET /xml/hotels pages hotels with city, country, stars, address, amenities, images and rooms", async () => {
  const { status, doc, contentType } = await getXml("/xml/hotels?page=2&size=20");
  assert.is(status, 200);
  assert.match(contentType!, /^application\/xml/);
  const root = doc.hotels as Node;
  assert.equal([root.page, root.pages], ["2", "3"]);
  const hotels = root.hotel as Node[];
  assert.is(hotels.length, 20);
  const h = hotels[0]!;
  const src = inv.hotels[20]!;
  assert.is(h.code, src.code);
  assert.is(h.name, src.name);
  assert.equal(h.city, { text: inv.cityById.get(src.cityId)!.name, id: src.cityId });
  assert.equal(h.country, { text: inv.cityById.get(src.cityId)!.countryName, code: inv.cityById.get(src.cityId)!.countryCode });
  assert.is(h.stars, String(src.stars));
  assert.is(h.address, src.address);
  assert.equal((h.amenities as Node).a, src.amenities);
  assert.equal(((h.images as Node).img as Node[]).map((i) => i.src), src.imageUrls);
  const rooms = (h.rooms as Node).room as Node[];
  assert.equal(rooms.map((r) => [r.code, r.occupancy, r.name]), src.rooms.map((r) => [r.code, String(r.occupancy), r.name]));
  const last = await getXml("/xml/hotels?page=3&size=20");
  assert.is(((last.doc.hotels as Node).hotel as Node[]).length, 11);
});

test("every hotel survives the round trip, apostrophes and ampersands included", async () => {
  const { doc } = await getXml("/xml/hotels?size=500");
  const hotels = (doc.hotels as Node).hotel as Node[];
  assert.is(hotels.length, inv.hotels.length);
  const tricky = inv.hotels.filter((h) => /[&'<>"]/.test(h.name + h.address));
  assert.ok(tricky.length > 0, "the inventory has names worth escaping");
  hotels.forEach((h, i) => assert.equal([h.name, h.address], [inv.hotels[i]!.name, inv.hotels[i]!.address]));
});

test("GET /xml/aliases lists other names by city id", async () => {
  const { doc } = await getXml("/xml/aliases");
  const cities = ([] as Node[]).concat((doc.aliases as Node).city as Node[]);
  const byId = new Map(cities.map((c) => [c.id, c.alias]));
  assert.equal(byId.get("lisbon-pt"), ["Lisboa"]);
  assert.equal(byId.get("amsterdam-nl"), ["Mokum", "A'dam"]);
  assert.is(byId.has("berlin-de"), false, "cities without aliases are left out");
});

test("GET /xml/rates gives one hotel's nightly rates in EUR, to exclusive, and counts a search", async () => {
  const h = inv.hotels[4]!;
  const { status, doc } = await getXml(`/xml/rates?hotel=${h.code}&from=${inv.today}&to=${dateOf(inv.todayDay + 3)}`);
  assert.is(status, 200);
  const rates = doc.rates as Node;
  assert.equal([rates.hotel, rates.currency], [h.code, "EUR"]);
  const list = rates.rate as Node[];
  assert.is(list.length, h.rooms.length * 3);
  const expected = hotelRates(inv, h, inv.todayDay, inv.todayDay + 3);
  assert.equal(list.map((r) => [r.room, r.night, r.available]), expected.map((r) => [r.room, r.night, String(r.available)]));
  assert.equal(list.map((r) => Math.round(Number(r.amount) * 100)), expected.map((r) => r.amountMinor));
  assert.ok(list.every((r) => /^\d+\.\d\d$/.test(r.amount as string)));
  const stats = (await (await fetch(`${casa.url}/admin/stats`)).json()) as Record<string, number>;
  assert.is(stats.searches, 1);
});

test("bad rate queries answer XML errors: unknown hotel 404, to not after from 400, over 90 nights 400", async () => {
  const unknown = await getXml(`/xml/rates?hotel=P999999&from=${inv.today}&to=${dateOf(inv.todayDay + 1)}`);
  assert.equal([unknown.status, (unknown.doc.error as Node).text], [404, "unknown hotel P999999"]);
  assert.is((await getXml(`/xml/rates?hotel=P000001&from=${inv.today}&to=${inv.today}`)).status, 400);
  assert.is((await getXml(`/xml/rates?hotel=P000001&from=${inv.today}&to=${dateOf(inv.todayDay + 91)}`)).status, 400);
  assert.is((await getXml("/xml/hotels?size=501")).status, 400);
});

test("rates are throttled (429 + Retry-After); the bulk feed is neither throttled nor counted", async () => {
  const q = `/xml/rates?hotel=P000001&from=${inv.today}&to=${dateOf(inv.todayDay + 1)}`;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(casa.url + q);
    statuses.push(res.status);
    if (res.status === 429) assert.ok(Number(res.headers.get("retry-after")) >= 1);
    await res.arrayBuffer();
  }
  assert.equal(statuses.slice(0, 3), [200, 200, 200]);
  assert.ok(statuses.includes(429));
  for (let page = 1; page <= 4; page++) {
    const { status, doc } = await getXml(`/xml/rates/bulk?page=${page}&size=15`);
    assert.is(status, 200);
    const rates = doc.rates as Node;
    assert.equal([rates.currency, rates.page, rates.pages], ["EUR", String(page), "4"]);
    for (const hotel of rates.hotel as Node[]) {
      const h = inv.hotelByCode.get(hotel.code as string)!;
      assert.is((hotel.rate as Node[]).length, h.rooms.length * inv.days, "the whole window by default");
    }
  }
  const stats = (await (await fetch(`${casa.url}/admin/stats`)).json()) as Record<string, number>;
  assert.is(stats.searches! + stats.throttled!, 6);
});

test.run();
