// Test fixture: the catalog on its own fresh database, called through the kit
// (localClient with the validation middleware), as main.ts wires it minus the
// transport; and a small, hand-written inventory to search.
import { fileURLToPath } from "node:url";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { pino } from "pino";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { CatalogService, type HotelSchema, type RoomSchema } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import { FlightStore } from "./flight-store.js";
import { HotelStore } from "./hotel-store.js";
import { catalogService } from "./service.js";
import { catalogValidators } from "./validators.js";

const TABLES = ["hotels", "rooms", "hotel_sellers", "cities", "city_aliases", "airports", "flights", "flight_sellers"] as const;
type Table = (typeof TABLES)[number];

export interface CatalogFixture {
  client: Client<typeof CatalogService>;
  ctx: Context;
  database: Database;
  hotels: HotelStore;
  flights: FlightStore;
  /** Rows per table, to prove that a call wrote nothing (or exactly something). */
  counts(): Promise<Record<Table, number>>;
  close(): Promise<void>;
}

export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
export const TEST_PAGE_TOKEN_SECRET = "catalog-test-secret";

export async function catalogFixture(opts: { poolMax?: number } = {}): Promise<CatalogFixture> {
  const log = pino({ level: "silent" });
  const db = await testServiceDatabase({ schema: "catalog", migrationsDir: MIGRATIONS, log, poolMax: opts.poolMax ?? 10 });
  const hotels = new HotelStore(db.knex);
  const flights = new FlightStore(db.knex);
  const client = localClient(
    CatalogService,
    catalogService({ hotels, flights, pageTokenSecret: TEST_PAGE_TOKEN_SECRET }),
    validation(catalogValidators()),
  );
  return {
    client,
    ctx: backgroundContext({ log }),
    database: db,
    hotels,
    flights,
    async counts() {
      const result = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<Table, number>;
      for (const table of TABLES) {
        const [{ n }] = (await db.knex(table).count({ n: "*" })) as [{ n: bigint }];
        result[table] = Number(n);
      }
      return result;
    },
    async close() {
      await db.close();
    },
  };
}

export type HotelInit = MessageInitShape<typeof HotelSchema>;
export type RoomInit = MessageInitShape<typeof RoomSchema>;

/** Fields a test may change in a hotel of the inventory. */
export interface HotelChanges {
  name?: string;
  cityName?: string;
  countryName?: string;
  starRating?: number;
  address?: string;
  amenities?: string[];
  imageUrls?: string[];
  rooms?: RoomInit[];
}

const CITIES = {
  "lisbon-pt": { cityName: "Lisbon", countryCode: "PT", countryName: "Portugal" },
  "porto-pt": { cityName: "Porto", countryCode: "PT", countryName: "Portugal" },
  "new-york-us": { cityName: "New York", countryCode: "US", countryName: "United States" },
  "paris-fr": { cityName: "Paris", countryCode: "FR", countryName: "France" },
  "sao-paulo-br": { cityName: "São Paulo", countryCode: "BR", countryName: "Brazil" },
} as const;

/** A hotel of the test inventory with two rooms; `over` replaces any field. */
export function hotel(hotelId: string, name: string, cityId: keyof typeof CITIES, over: HotelChanges = {}) {
  return {
    hotelId,
    name,
    cityId,
    ...CITIES[cityId],
    starRating: 4,
    address: `1 ${name} Street`,
    amenities: ["free wifi"],
    imageUrls: [`https://img.sandbox.itinera.test/${hotelId}/1.jpg`],
    rooms: [
      { roomId: "DBL-STD", name: "Double room", maxOccupancy: 2, amenities: ["air conditioning"] },
      { roomId: "SGL-STD", name: "Single room", maxOccupancy: 1, amenities: [] },
    ],
    ...over,
  } satisfies HotelInit;
}

export type TestHotel = ReturnType<typeof hotel>;

/** A few hotels in five cities; "casa" lists them, with aliases for New York. */
export const INVENTORY: TestHotel[] = [
  hotel("h-P001", "Tagus Palace", "lisbon-pt"),
  hotel("h-P002", "Alfama Lisbon Suites", "lisbon-pt"),
  hotel("h-P003", "Baixa Garden Inn", "lisbon-pt"),
  hotel("h-P004", "Ribeira Lisbon View", "porto-pt"),
  hotel("h-P005", "Douro Riverside", "porto-pt"),
  hotel("h-P006", "Manhattan Grand", "new-york-us"),
  hotel("h-P007", "Brooklyn Bridge Lodge", "new-york-us"),
  hotel("h-P008", "Hôtel Lumière", "paris-fr"),
  hotel("h-P009", "Montmartre Palace", "paris-fr"),
  hotel("h-P010", "Paulista Tower", "sao-paulo-br"),
];

export const NEW_YORK_ALIASES = { "new-york-us": { aliases: ["NY", "NYC", "New York City"] } };
