// web → search: what the BFF's hotel page and bookings (services/web/prices.ts:
// GetHotel, StartBooking) need from SearchService's unary methods, written by
// running the BFF (web-harness.ts) for a browser with the search method
// under test over Connect JSON against Pact's mock server.
//
// SearchHotels: the hotel's name (the catalog's, in memory here), the stay,
// the signed-in customer's id (none for a visitor) and 50 results; the BFF
// finds the hotel by id and passes it to the page as it is — name, city,
// country, stars, image, amenities, each room's id, name, occupancy, offers
// and personal price — and for a booking reads the room's listed price,
// markdown, price, seller and freshness and the wallet's balance.
// SearchFlights: the route and the dates of a return trip's flight ids, and
// the customer; each leg's id, number, airports, local departure and price,
// and the wallet balance, which the BFF takes off the legs' total once.
// Search reads no token. The streaming methods (StreamHotels, StreamFlights)
// cannot be Pact interactions: see contracts/README.md.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, int64String, Matchers, withBearer } from "../pact.js";
import { day, overWire } from "./calls.js";
import { withBff, type Bff } from "./web-harness.js";

const { eachLike, integer, like, regex } = Matchers;
const money = (amountMinor: string) => ({ amountMinor: int64String(amountMinor), currency: "EUR" });
const FRESH = regex(/^PRICE_STATUS_FRESH$/, "PRICE_STATUS_FRESH");
const STAY = { checkIn: day("2027-03-10"), checkOut: day("2027-03-13") };
const AURORA = { hotelId: "h-aurora", name: "Hotel Aurora", cityName: "Lisbon", countryCode: "PT", roomId: "DBL", roomName: "Double room", sellerId: "casa", totalMinor: "50000", currency: "EUR" };
let pact: ConsumerPact;

/** A room's personal price: listed, what the wallet takes off (when it does), what is paid, fresh, by whom. */
const price = (listed: string, paid: string, markdown?: string) => ({
  listed: money(listed),
  ...(markdown ? { markdown: money(markdown) } : {}),
  price: money(paid),
  status: FRESH,
  sellerId: like("casa"),
});

/** The hotel as search lists it for the stay. */
const hotel = (roomPrice: ReturnType<typeof price>) => ({
  hotelId: regex(/^h-aurora$/, "h-aurora"),
  name: like(AURORA.name),
  cityName: like(AURORA.cityName),
  countryCode: regex(/^[A-Z]{2}$/, "PT"),
  starRating: integer(4),
  imageUrl: regex(/^https?:\/\/\S+$/, "https://img.sandbox.itinera.test/aurora/1.jpg"),
  amenities: eachLike("pool"),
  rooms: eachLike({ roomId: like("DBL"), name: like(AURORA.roomName), maxOccupancy: integer(2), offerCount: integer(1), price: roomPrice }),
});

/** The payment the BFF made in memory (payment's own pact is web-payment). */
const paid = (bff: Bff) => {
  const made = bff.world.calls.find((c) => c.method === "payment.MakePayment")?.request as
    | { amount?: { amountMinor: bigint }; markdown?: { amountMinor: bigint }; item?: { sellerId: string; title: string } }
    | undefined;
  return [made?.amount?.amountMinor, made?.markdown?.amountMinor, made?.item?.sellerId, made?.item?.title];
};

test.before(async () => {
  pact = await consumerPact("web", "search");
});
test.after(async () => {
  await pact?.close();
});

test("a visitor's hotel page: the hotel found by its name, its rooms priced for the stay", async () => {
  const answer = await pact
    .interaction()
    .given("a hotel's rooms are priced", AURORA)
    .uponReceiving("a hotel search by the hotel's name for its page")
    .withRequest(...withBearer(connectRequest(SearchService.method.searchHotels, { query: { query: "Hotel Aurora", ...STAY, pageSize: 50 } })))
    .willRespondWith(...connectResponse({ results: { hotels: eachLike(hotel(price("50000", "50000"))) } }))
    .executeTest((mock) =>
      withBff({ search: { searchHotels: overWire(SearchService, mock.url, "web").searchHotels } }, async (bff) =>
        (await bff.visitor()).call("GetHotel", { hotelId: "h-aurora", ...STAY }),
      ),
    );
  const h = answer?.body.hotel;
  assert.equal([h?.name, h?.imageUrl, h?.amenities, h?.rooms[0].price.price.amountMinor], ["Hotel Aurora", "https://img.sandbox.itinera.test/aurora/1.jpg", ["pool"], "50000"]);
  assert.is(answer?.body.degraded, undefined, "nothing degraded");
});

test("booking a room: the price search gives the customer now, the wallet's markdown taken off", async () => {
  const c = "c-71";
  const made = await pact
    .interaction()
    .given("a hotel's rooms are priced", AURORA)
    .given("a customer has a wallet balance", { customerId: c, currency: "EUR", amountMinor: "10000" })
    .uponReceiving("a hotel search by the hotel's name for a customer's booking")
    .withRequest(...withBearer(connectRequest(SearchService.method.searchHotels, { query: { query: "Hotel Aurora", ...STAY, customerId: c, pageSize: 50 } })))
    .willRespondWith(...connectResponse({ results: { hotels: eachLike(hotel(price("50000", "40000", "10000"))), walletAvailable: money("10000") } }))
    .executeTest((mock) =>
      withBff({ search: { searchHotels: overWire(SearchService, mock.url, "web").searchHotels } }, async (bff) => {
        const answer = await (await bff.signedIn(c)).call("StartBooking", {
          idempotencyKey: "web-0123456789abcdef0123456789abcdef",
          item: { hotelStay: { hotelId: "h-aurora", roomId: "DBL", ...STAY } },
          shownPrice: { amountMinor: "40000", currency: "EUR" },
        });
        assert.is(answer.status, 200, JSON.stringify(answer.body));
        return paid(bff);
      }),
    );
  assert.equal(made, [40_000n, 10_000n, "casa", "Hotel Aurora, Lisbon — Double room, 3 nights"]);
});

const LEG = /^[A-Z0-9]{2}\d{1,4}-\d{4}-\d{2}-\d{2}$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const leg = (flightId: string, origin: string, destination: string, departureLocal: string, listed: string) => ({
  flightId: regex(LEG, flightId),
  flightNumber: like(flightId.split("-")[0]!),
  origin: regex(/^[A-Z]{3}$/, origin),
  destination: regex(/^[A-Z]{3}$/, destination),
  departureLocal: regex(LOCAL, departureLocal),
  price: { listed: money(listed), price: money(listed), status: FRESH, sellerId: like("skylark") },
});

test("booking a return trip: both legs' fares from one seller, the wallet taken off their total once", async () => {
  const c = "c-72";
  const trip = { origin: "LIS", destination: "MAD", outboundFlightId: "SL123-2027-03-10", returnFlightId: "SL124-2027-03-13" };
  const made = await pact
    .interaction()
    .given("a return trip is priced", { ...trip, sellerId: "skylark", outboundMinor: "12000", returnMinor: "9000", currency: "EUR" })
    .given("a customer has a wallet balance", { customerId: c, currency: "EUR", amountMinor: "5000" })
    .uponReceiving("a return flight search for a customer's booking")
    .withRequest(
      ...withBearer(connectRequest(SearchService.method.searchFlights, {
        query: { origin: "LIS", destination: "MAD", departureDate: day("2027-03-10"), returnDate: day("2027-03-13"), customerId: c },
      })),
    )
    .willRespondWith(
      ...connectResponse({
        results: {
          outbound: eachLike(leg(trip.outboundFlightId, "LIS", "MAD", "2027-03-10T08:15:00+00:00", "12000")),
          inbound: eachLike(leg(trip.returnFlightId, "MAD", "LIS", "2027-03-13T09:15:00+01:00", "9000")),
          walletAvailable: money("5000"),
        },
      }),
    )
    .executeTest((mock) =>
      withBff({ search: { searchFlights: overWire(SearchService, mock.url, "web").searchFlights } }, async (bff) => {
        const answer = await (await bff.signedIn(c)).call("StartBooking", {
          idempotencyKey: "web-fedcba9876543210fedcba9876543210",
          item: { flightTrip: trip },
          shownPrice: { amountMinor: "16000", currency: "EUR" },
        });
        assert.is(answer.status, 200, JSON.stringify(answer.body));
        return paid(bff);
      }),
    );
  assert.equal(made, [16_000n, 5_000n, "skylark", "SL123 LIS → MAD, 2027-03-10; return SL124 MAD → LIS, 2027-03-13"]);
});

test("the pact is the committed contracts/pacts/web-search.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
