// Generated hotels (names, stars, addresses, amenities, pictures, room types)
// and their nightly rates, computed lazily per (hotel, room, night) from a
// hash so that 90 days of rates for thousands of rooms never sit in memory.
import type { CityPlace } from "./places.js";
import { hash, unit, type Rng } from "./random.js";
import { monthOf, weekday } from "./calendar.js";

/** One of the fixed room types every hotel chooses four from. */
export interface RoomType {
  code: string;
  name: string;
  occupancy: number;
  /** Price relative to the hotel's standard double. */
  factor: number;
}

export const ROOM_TYPES: readonly RoomType[] = [
  { code: "SGL-STD", name: "Single Room", occupancy: 1, factor: 0.75 },
  { code: "DBL-STD", name: "Standard Double Room", occupancy: 2, factor: 1 },
  { code: "TWN-STD", name: "Standard Twin Room", occupancy: 2, factor: 1 },
  { code: "DBL-SUP", name: "Superior Double Room", occupancy: 2, factor: 1.3 },
  { code: "TRP-STD", name: "Triple Room", occupancy: 3, factor: 1.35 },
  { code: "FAM-STD", name: "Family Room", occupancy: 4, factor: 1.55 },
  { code: "STE-JR", name: "Junior Suite", occupancy: 3, factor: 1.9 },
  { code: "STE-EXE", name: "Executive Suite", occupancy: 4, factor: 2.6 },
];

export interface HotelRoom {
  code: string;
  name: string;
  occupancy: number;
  amenities: string[];
  /** Index in ROOM_TYPES: the stable key of its rates. */
  typeIndex: number;
}

export interface Hotel {
  /** 0-based position in the whole inventory. */
  index: number;
  /** The global property code every seller uses ("P000123"). */
  code: string;
  name: string;
  cityId: string;
  stars: number;
  address: string;
  amenities: string[];
  /** Its photos' paths on any sandbox seller ("/images/hotels/P000123/1.png"); each seller lists them under its own origin. */
  imagePaths: string[];
  rooms: HotelRoom[];
  /** The standard double's average nightly price, EUR minor units. */
  baseRateMinor: number;
}

/** The path of a hotel's photo `n` (from 1), served by every sandbox seller (seller-server.ts). */
export function imagePath(code: string, n: number): string {
  return `/images/hotels/${code}/${n}.png`;
}

const CORE = ["Grand", "Royal", "Central", "Park", "Garden", "Plaza", "Riverside", "Harbour", "Heritage", "Skyline",
  "Station", "Palace", "Urban", "Old Town", "Golden", "Crown", "Metropole", "Continental", "Majestic", "Vista"];
const BRANDS = ["Azure", "Meridian", "Lumen", "Solace", "Verde", "Nomad", "Corvo", "Aurora", "Atlas", "Halcyon",
  "Ember", "Tessera", "Marlowe", "Oriel"];
const KINDS: Record<number, string[]> = {
  1: ["Hostel", "Rooms", "Guesthouse", "Budget Inn"],
  2: ["Inn", "Guesthouse", "Bed & Breakfast", "Rooms", "Hotel"],
  3: ["Hotel", "Suites", "Apartments", "Rooms & Suites", "Inn"],
  4: ["Hotel", "Suites", "Hotel & Spa", "Residences"],
  5: ["Palace", "Hotel & Spa", "Grand Hotel", "Resort & Spa"],
};
const STAR_WEIGHTS = [0.05, 0.15, 0.35, 0.32, 0.13];
const BASE_RATE: Record<number, [number, number]> = { 1: [35, 55], 2: [55, 85], 3: [80, 140], 4: [130, 230], 5: [250, 550] };
/** Price per month of the night, January first. */
const SEASON = [0.85, 0.85, 0.95, 1, 1.05, 1.15, 1.3, 1.3, 1.1, 1, 0.9, 1.1];

function pickStars(r: Rng): number {
  let x = r.next();
  for (let s = 0; s < STAR_WEIGHTS.length; s++) {
    x -= STAR_WEIGHTS[s]!;
    if (x < 0) return s + 1;
  }
  return 5;
}

function hotelName(r: Rng, city: CityPlace, stars: number): string {
  const kind = r.pick(KINDS[stars]!);
  const district = r.pick(city.districts);
  switch (r.int(0, 5)) {
    case 0:
      return `${district} ${kind}`;
    case 1:
      return `${r.pick(CORE)} ${kind} ${city.name}`;
    case 2:
      return `${r.pick(BRANDS)} ${district}`;
    case 3:
      return `${r.pick(BRANDS)} ${city.name} ${r.pick(CORE)}`;
    case 4:
      return `The ${r.pick(CORE)} ${kind}`;
    default:
      return `Hotel ${district} ${r.pick(CORE)}`;
  }
}

function hotelAmenities(r: Rng, stars: number): string[] {
  const odds: [string, number][] = [
    ["free wifi", 0.95],
    ["breakfast", 0.3 + 0.12 * stars],
    ["air conditioning", 0.45 + 0.1 * stars],
    ["24-hour reception", 0.4 + 0.12 * stars],
    ["parking", 0.35],
    ["restaurant", stars >= 3 ? 0.2 * stars : 0.1],
    ["bar", 0.15 * stars],
    ["gym", stars >= 3 ? 0.25 * (stars - 1) : 0],
    ["pool", stars >= 3 ? 0.12 * stars : 0],
    ["spa", stars >= 4 ? 0.35 * (stars - 3) : 0],
    ["room service", stars >= 4 ? 0.85 : 0.05],
    ["airport shuttle", 0.15],
    ["pet friendly", 0.25],
    ["family rooms", 0.4],
    ["accessible rooms", 0.6],
  ];
  return odds.filter(([, p]) => r.chance(p)).map(([a]) => a);
}

function roomTypesFor(r: Rng, stars: number): number[] {
  const codes = stars >= 4
    ? ["TWN-STD", "DBL-SUP", "STE-JR", "STE-EXE", "FAM-STD"]
    : stars === 3
      ? ["SGL-STD", "TWN-STD", "DBL-SUP", "TRP-STD", "FAM-STD", "STE-JR"]
      : ["SGL-STD", "TWN-STD", "TRP-STD", "FAM-STD"];
  const chosen = ["DBL-STD", ...r.shuffle(codes).slice(0, 3)];
  return chosen.map((c) => ROOM_TYPES.findIndex((t) => t.code === c)).sort((a, b) => a - b);
}

function roomAmenities(r: Rng, type: RoomType, stars: number, hotelAmenities: string[]): string[] {
  const out = ["tv"];
  if (hotelAmenities.includes("air conditioning")) out.push("air conditioning");
  if (stars >= 3) out.push("safe");
  if (stars >= 4) out.push("minibar");
  if (type.code.startsWith("STE")) out.push("bathtub", "sofa");
  if (r.chance(0.3)) out.push("balcony");
  if (r.chance(0.25)) out.push("city view");
  return out;
}

/** "P000123" of the 123rd hotel. */
export function propertyCode(index: number): string {
  return `P${String(index + 1).padStart(6, "0")}`;
}

/** `count` hotels for one city, numbered from `firstIndex`; names unique within the city. */
export function generateHotels(r: Rng, city: CityPlace & { id: string }, count: number, firstIndex: number): Hotel[] {
  const names = new Set<string>();
  const hotels: Hotel[] = [];
  for (let i = 0; i < count; i++) {
    const index = firstIndex + i;
    const code = propertyCode(index);
    const stars = pickStars(r);
    let name = hotelName(r, city, stars);
    for (let tries = 0; names.has(name) && tries < 20; tries++) name = hotelName(r, city, stars);
    for (let n = 2; names.has(name); n++) name = `${name.replace(/ \d+$/, "")} ${n}`;
    names.add(name);
    const street = r.pick(city.streets);
    const number = r.int(1, 240);
    const address = city.numberLast ? `${street} ${number}, ${city.name}` : `${number} ${street}, ${city.name}`;
    const amenities = hotelAmenities(r, stars);
    const imagePaths = Array.from({ length: r.int(3, 3 + stars) }, (_, k) => imagePath(code, k + 1));
    const rooms = roomTypesFor(r, stars).map((typeIndex) => {
      const type = ROOM_TYPES[typeIndex]!;
      return { code: type.code, name: type.name, occupancy: type.occupancy, amenities: roomAmenities(r, type, stars, amenities), typeIndex };
    });
    const [lo, hi] = BASE_RATE[stars]!;
    const baseRateMinor = Math.round((lo + r.next() * (hi - lo)) * city.priceLevel) * 100;
    hotels.push({ index, code, name, cityId: city.id, stars, address, amenities, imagePaths, rooms, baseRateMinor });
  }
  return hotels;
}

/** A room's price (EUR minor units) and rooms left for one night; a pure function of its arguments. */
export function nightlyRate(seed: number, hotel: Hotel, room: HotelRoom, day: number): { amountMinor: number; available: number } {
  const type = ROOM_TYPES[room.typeIndex]!;
  const wd = weekday(day);
  const weekend = wd === 5 || wd === 6 ? 1.15 : 1;
  const noise = 0.92 + 0.16 * unit(hash(seed, 1, hotel.index, room.typeIndex, day));
  const amountMinor = Math.round(hotel.baseRateMinor * type.factor * SEASON[monthOf(day)]! * weekend * noise);
  const a = unit(hash(seed, 2, hotel.index, room.typeIndex, day));
  const available = a < 0.08 ? 0 : 1 + Math.floor(((a - 0.08) / 0.92) * 9);
  return { amountMinor, available: Math.min(available, 9) };
}
