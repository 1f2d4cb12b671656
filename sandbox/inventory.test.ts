import { test } from "uvu";
import * as assert from "uvu/assert";
import { dayNumber } from "./calendar.js";
import {
  DEMO_SIZE,
  departure,
  fares,
  generateInventory,
  hotelRates,
  imagePath,
  ROOM_TYPES,
  type Inventory,
} from "./inventory.js";

const TINY = { today: "2026-03-20", cities: 3, hotelsPerCity: 5, days: 10, pairs: 3 };

/** Everything a seller could serve from a tiny inventory, rates and fares included, as plain data. */
function everything(inv: Inventory) {
  return {
    cities: inv.cities,
    airports: inv.airports,
    hotels: inv.hotels,
    routes: inv.routes,
    flights: inv.flights,
    rates: inv.hotels.map((h) => hotelRates(inv, h, inv.todayDay, inv.todayDay + inv.days)),
    departures: inv.flights.map((f) => [departure(inv, f, inv.todayDay + 3), fares(inv, f, inv.todayDay + 3)]),
  };
}

test("the same seed and today give identical data, rates and fares included", () => {
  const a = everything(generateInventory({ seed: 7, ...TINY }));
  const b = everything(generateInventory({ seed: 7, ...TINY }));
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});

test("a different seed gives different hotels, prices and flights", () => {
  const a = everything(generateInventory({ seed: 7, ...TINY }));
  const b = everything(generateInventory({ seed: 8, ...TINY }));
  assert.not.equal(JSON.stringify(a.hotels.map((h) => h.name)), JSON.stringify(b.hotels.map((h) => h.name)));
  assert.not.equal(JSON.stringify(a.rates), JSON.stringify(b.rates));
  assert.not.equal(JSON.stringify(a.flights), JSON.stringify(b.flights));
  // The places are real, not random: the same cities either way.
  assert.equal(a.cities, b.cities);
});

test("parameters give tiny inventories: 3 cities × 5 hotels, 3 pairs flown both ways, 10 days", () => {
  const inv = generateInventory({ seed: 1, ...TINY });
  assert.equal(inv.cities.map((c) => c.id), ["lisbon-pt", "porto-pt", "madrid-es"]);
  assert.is(inv.hotels.length, 15);
  assert.is(inv.routes.length, 6);
  const h = inv.hotels[0]!;
  assert.is(hotelRates(inv, h, inv.todayDay - 5, inv.todayDay + 50).length, h.rooms.length * 10);
  assert.is(fares(inv, inv.flights[0]!, inv.todayDay + 10).length, 0, "no fares after the window");
  assert.is(fares(inv, inv.flights[0]!, inv.todayDay - 1).length, 0, "no fares before today");
});

test("the demo inventory: ≥ 20 real cities, 2,000 hotels, 8,000 rooms, ≥ 300 pairs, 90 days of rates", () => {
  const inv = generateInventory({ today: "2026-03-20" });
  assert.ok(inv.cities.length >= 20);
  assert.is(inv.hotels.length, 2000);
  assert.is(inv.hotels.reduce((n, h) => n + h.rooms.length, 0), 8000);
  const pairs = new Set(inv.routes.map((r) => [r.from, r.to].sort().join("-")));
  assert.ok(pairs.size >= DEMO_SIZE.pairs, `${pairs.size} airport pairs`);
  for (const r of inv.routes) assert.ok((inv.flightsByRoute.get(`${r.from}-${r.to}`) ?? []).length >= 1, `${r.from}-${r.to} flown`);
  assert.is(inv.days, 90);
  // Every room has a rate on the first and the last of the 90 nights and none after (spot-checked, not materialised).
  const first = inv.todayDay;
  const last = inv.todayDay + 89;
  for (const h of inv.hotels) {
    assert.is(hotelRates(inv, h, first, first + 1).length, 4);
    assert.is(hotelRates(inv, h, last, last + 2).length, 4);
  }
  // Unique codes, unique names within a city.
  assert.is(new Set(inv.hotels.map((h) => h.code)).size, 2000);
  assert.is(inv.hotels[122]!.code, "P000123");
  assert.is(new Set(inv.hotels.map((h) => `${h.cityId}|${h.name}`)).size, 2000);
  assert.is(new Set(inv.flights.map((f) => f.number)).size, inv.flights.length);
});

test("cities carry countries, IANA zones, airports and the aliases people search for", () => {
  const inv = generateInventory({ today: "2026-03-20" });
  const ny = inv.cityById.get("new-york-us")!;
  assert.equal([ny.countryCode, ny.countryName, ny.timeZone], ["US", "United States", "America/New_York"]);
  for (const a of ["NY", "NYC", "New York City"]) assert.ok(ny.aliases.includes(a), a);
  assert.equal(ny.airports, ["JFK", "EWR", "LGA"]);
  assert.ok(inv.cityById.get("lisbon-pt")!.aliases.includes("Lisboa"));
  const lis = inv.airportByIata.get("LIS")!;
  assert.equal([lis.name, lis.cityId, lis.timeZone], ["Humberto Delgado", "lisbon-pt", "Europe/Lisbon"]);
  for (const c of inv.cities) assert.ok(new Intl.DateTimeFormat("en", { timeZone: c.timeZone }), c.timeZone);
});

test("hotels look plausible: 1–5 stars, address in their city, photos at the sellers' image paths, 4 room types from the fixed set", () => {
  const inv = generateInventory({ seed: 3, today: "2026-03-20", cities: 4, hotelsPerCity: 30 });
  const codes = new Set(ROOM_TYPES.map((t) => t.code));
  const stars = new Set<number>();
  for (const h of inv.hotels) {
    stars.add(h.stars);
    assert.ok(h.stars >= 1 && h.stars <= 5);
    assert.ok(h.address.endsWith(`, ${inv.cityById.get(h.cityId)!.name}`), h.address);
    assert.ok(h.imagePaths.length >= 3 && h.imagePaths.every((p, k) => p === imagePath(h.code, k + 1)));
    assert.is(h.rooms.length, 4);
    assert.ok(h.rooms.some((r) => r.code === "DBL-STD"));
    for (const r of h.rooms) assert.ok(codes.has(r.code) && r.occupancy >= 1 && r.occupancy <= 4);
  }
  assert.ok(stars.size >= 4, "a spread of star ratings");
});

test("rates vary by night and room, weekends cost more on average, availability is 0–9", () => {
  const inv = generateInventory({ seed: 5, today: "2026-06-01", cities: 2, hotelsPerCity: 40, days: 28 });
  let weekend = 0, weekday = 0, nWeekend = 0, nWeekday = 0, soldOut = 0;
  const amounts = new Set<number>();
  for (const h of inv.hotels) {
    for (const r of hotelRates(inv, h, inv.todayDay, inv.todayDay + inv.days)) {
      assert.ok(Number.isInteger(r.amountMinor) && r.amountMinor > 0);
      assert.ok(Number.isInteger(r.available) && r.available >= 0 && r.available <= 9);
      if (r.available === 0) soldOut++;
      amounts.add(r.amountMinor);
      const dow = new Date(`${r.night}T00:00:00Z`).getUTCDay();
      const dbl = r.room === "DBL-STD";
      if (!dbl) continue;
      if (dow === 5 || dow === 6) (weekend += r.amountMinor), nWeekend++;
      else (weekday += r.amountMinor), nWeekday++;
    }
  }
  assert.ok(weekend / nWeekend > (weekday / nWeekday) * 1.05, "Friday and Saturday nights dearer");
  assert.ok(soldOut > 0, "some rooms sold out");
  assert.ok(amounts.size > 1000, "prices vary");
});

test("flights: durations follow distance, local times follow the zones across a DST change, fares rise as departure nears", () => {
  const inv = generateInventory({ today: "2026-03-20" });
  for (const f of inv.flights) {
    const kmh = f.distanceKm / ((f.durationMinutes - 35) / 60);
    assert.ok(kmh > 600 && kmh < 900, `${f.number}: ${f.distanceKm} km in ${f.durationMinutes} min`);
  }
  // New York is UTC-4 from 8 March 2026, London UTC+0 until 29 March, then UTC+1.
  const f = inv.flightsByRoute.get("JFK-LHR")?.[0] ?? inv.flightsByRoute.get("LHR-JFK")![0]!;
  const gapHours = (day: string) => {
    const d = departure(inv, f, dayNumber(day)!);
    const wall = (Date.parse(`${d.arrives}:00Z`) - Date.parse(`${d.departs}:00Z`)) / 60_000;
    return (wall - f.durationMinutes) / 60;
  };
  const eastbound = f.from === "JFK" ? 1 : -1;
  assert.is(gapHours("2026-03-22"), 4 * eastbound);
  assert.is(gapHours("2026-04-05"), 5 * eastbound);
  const lisMad = departure(inv, inv.flightsByRoute.get("LIS-MAD")?.[0] ?? inv.flights[0]!, inv.todayDay);
  assert.match(lisMad.departs, /^2026-03-20T\d\d:\d\d$/);

  let soon = 0, later = 0;
  for (const fl of inv.flights) {
    soon += fares(inv, fl, inv.todayDay + 1)[0]!.priceMinor;
    later += fares(inv, fl, inv.todayDay + 60)[0]!.priceMinor;
  }
  assert.ok(soon > later * 1.5, `tomorrow ${soon} vs in two months ${later}`);
});

test.run();
