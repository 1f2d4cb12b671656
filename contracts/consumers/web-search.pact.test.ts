// web → search: what the BFF's hotel page (services/web/prices.ts: GetHotel)
// needs from SearchService's unary SearchHotels, written by running the BFF
// (web-harness.ts) for a browser with the method over Connect JSON against
// Pact's mock server.
//
// SearchHotels: the hotel's id (hotel_ids: one call prices the stay, no
// keyword search of its name) and the stay; for a signed-in customer the call carries their token (search
// applies that customer's markdown and quotes each price for them; no
// customer id in the body). The BFF takes the hotel of that id and passes it to
// the page as it is — name, city, country, stars, image, amenities, each
// room's id, name, occupancy, offers and personal price with the flexible
// option's price and the quote to book it — and the wallet's balance.
// StartBooking no longer asks search: it takes the quotes the page got. The
// streaming methods (StreamHotels, StreamFlights) cannot be Pact
// interactions: see contracts/README.md.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { connectRequest, connectResponse, consumerPact, int64String, Matchers, withBearer, withCustomerBearer, type ConsumerPact } from "../pact.js";
import { day, overWire } from "./calls.js";
import { withBff } from "./web-harness.js";

const { eachLike, integer, like, regex } = Matchers;
const money = (amountMinor: string) => ({ amountMinor: int64String(amountMinor), currency: "EUR" });
const FRESH = regex(/^PRICE_STATUS_FRESH$/, "PRICE_STATUS_FRESH");
const STAY = { checkIn: day("2027-03-10"), checkOut: day("2027-03-13") };
const AURORA = { hotelId: "h-aurora", name: "Hotel Aurora", cityName: "Lisbon", countryCode: "PT", roomId: "DBL", roomName: "Double room", sellerId: "casa", totalMinor: "50000", currency: "EUR" };
/** A quote token: search's signed quote, "<quote>.<signature>" in base64url. */
const QUOTE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const QUOTE_EXAMPLE = "CgRjYXNh.c2lnbmF0dXJl";
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
const hotel = (roomPrice: object) => ({
  hotelId: regex(/^h-aurora$/, "h-aurora"),
  name: like(AURORA.name),
  cityName: like(AURORA.cityName),
  countryCode: regex(/^[A-Z]{2}$/, "PT"),
  starRating: integer(4),
  imageUrl: regex(/^https?:\/\/\S+$/, "https://img.sandbox.itinera.test/aurora/1.jpg"),
  amenities: eachLike("pool"),
  rooms: eachLike({ roomId: like("DBL"), name: like(AURORA.roomName), maxOccupancy: integer(2), offerCount: integer(1), price: roomPrice }),
});

test.before(async () => {
  pact = await consumerPact("web", "search");
});
test.after(async () => {
  await pact?.close();
});

test("a visitor's hotel page: the hotel asked by its id, its rooms priced for the stay", async () => {
  const answer = await pact
    .interaction()
    .given("a hotel's rooms are priced", AURORA)
    .uponReceiving("the prices of a hotel by its id for its page, as the BFF itself")
    .withRequest(...withBearer(connectRequest(SearchService.method.searchHotels, { query: { ...STAY, hotelIds: ["h-aurora"] } })))
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

test("a signed-in customer's hotel page: priced for the customer whose token search receives, each room quoted", async () => {
  const c = "c-71";
  const answer = await pact
    .interaction()
    .given("a hotel's rooms are priced", AURORA)
    .given("a customer has a wallet balance", { customerId: c, currency: "EUR", amountMinor: "10000" })
    .uponReceiving("the prices of a hotel by its id for a signed-in customer's page, with their token")
    .withRequest(...withCustomerBearer(connectRequest(SearchService.method.searchHotels, { query: { ...STAY, hotelIds: ["h-aurora"] } })))
    .willRespondWith(
      ...connectResponse({
        results: { hotels: eachLike(hotel({ ...price("50000", "40000", "10000"), flexible: money("5000"), quote: regex(QUOTE, QUOTE_EXAMPLE) })), walletAvailable: money("10000") },
      }),
    )
    .executeTest((mock) =>
      withBff({ search: { searchHotels: overWire(SearchService, mock.url).searchHotels } }, async (bff) =>
        (await bff.signedIn(c)).call("GetHotel", { hotelId: "h-aurora", ...STAY }),
      ),
    );
  const p = answer?.body.hotel?.rooms[0].price;
  assert.equal([p?.price.amountMinor, p?.markdown.amountMinor, p?.flexible.amountMinor, p?.quote], ["40000", "10000", "5000", QUOTE_EXAMPLE]);
  assert.equal(answer?.body.walletAvailable, { amountMinor: "10000", currency: "EUR" });
});

test("the pact is the committed contracts/pacts/web-search.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
