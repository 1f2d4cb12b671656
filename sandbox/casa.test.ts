import { XMLParser, XMLValidator } from "fast-xml-parser";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCasa } from "./casa.js";
import { dateOf } from "./calendar.js";
import { inflateSync } from "node:zlib";
import { feedVersion } from "./feed-version.js";
import { generateInventory, hotelRates, type Inventory } from "./inventory.js";
import { hotelPicture, PICTURE_HEIGHT, PICTURE_WIDTH } from "./picture.js";
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
  assert.equal(((h.images as Node).img as Node[]).map((i) => i.src), src.imagePaths.map((path) => casa.url + path));
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

test("GET /xml/version carries the feed's ETag and answers 304 with no body when If-None-Match names it", async () => {
  const first = await fetch(`${casa.url}/xml/version`);
  const etag = first.headers.get("etag");
  assert.is(first.status, 200);
  assert.match(etag!, /^"[\w-]{27}"$/);
  assert.match(await first.text(), new RegExp(`<feed version="${etag!.replace(/"/g, "&quot;")}"`));
  const again = await fetch(`${casa.url}/xml/version`, { headers: { "if-none-match": `"other", ${etag}` } });
  assert.equal([again.status, await again.text(), again.headers.get("etag")], [304, "", etag]);
  const stale = await fetch(`${casa.url}/xml/version`, { headers: { "if-none-match": '"an-old-version"' } });
  assert.is(stale.status, 200);
  await stale.body?.cancel();
});

test("the feed's version changes with any hotel's content, and with the window of dates, and only then", () => {
  const params = { seed: 5, today: "2026-03-20", cities: 2, hotelsPerCity: 3, days: 10, pairs: 1 };
  const version = (i: Inventory) => feedVersion(i, ["cities", "hotels"]);
  const same = version(generateInventory(params));
  assert.is(version(generateInventory(params)), same);
  const changed = generateInventory(params);
  changed.hotels[4]!.baseRateMinor += 100; // its rates change
  assert.is.not(version(changed), same);
  assert.is.not(version(generateInventory({ ...params, today: "2026-03-21" })), same);
});

test("every hotel's photos are real PNGs on the seller's own origin, the same bytes each time; others are 404", async () => {
  const h = inv.hotels[3]!;
  const res = await fetch(casa.url + h.imagePaths[1]!);
  assert.is(res.status, 200);
  assert.is(res.headers.get("content-type"), "image/png");
  assert.match(res.headers.get("cache-control")!, /max-age=\d+/);
  const png = Buffer.from(await res.arrayBuffer());
  assert.equal([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  assert.equal([png.readUInt32BE(16), png.readUInt32BE(20)], [PICTURE_WIDTH, PICTURE_HEIGHT]);
  assert.ok(inflateSync(png.subarray(41, 33 + png.readUInt32BE(33) + 8)).length > 0, "IDAT inflates");
  assert.equal(hotelPicture(inv.seed, h.code, h.stars, 2), png);
  assert.not.equal(hotelPicture(inv.seed, h.code, h.stars, 1), png);
  const cached = await fetch(casa.url + h.imagePaths[1]!, { headers: { "if-none-match": res.headers.get("etag")! } });
  assert.is(cached.status, 304);
  for (const path of [`/images/hotels/${h.code}/${h.imagePaths.length + 1}.png`, "/images/hotels/NOPE/1.png", "/images/hotels/../admin/1.png"]) {
    const r = await fetch(casa.url + path);
    assert.is(r.status, 404, path);
    await r.body?.cancel();
  }
});

test.run();
