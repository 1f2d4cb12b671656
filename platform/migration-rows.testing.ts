// Representative rows for every table of every migrated schema, written by
// platform/migrations.test.ts between its migrations up and down: one row per
// table, keys made distinct by `n` so the rows can be written again on top of
// rows kept by a step down and up. Plain inserts that satisfy the latest
// schema's constraints; a schema or table missing here fails that test with
// the table's name.
import type { Knex } from "knex";

export type RowWriter = (knex: Knex, n: number) => Promise<void>;

const t0 = "2026-12-01T10:00:00Z";
const hex32 = (n: number) => n.toString(16).padStart(32, "0");
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

const inbox = (knex: Knex, table: string, n: number) => knex(table).insert({ group_name: "evolution", message_id: n });
/** An event not yet relayed to JetStream (the NATS bus's outbox, transport/bus/nats/outbox.ts). */
const outbox = (knex: Knex, n: number) =>
  knex("outbox").insert({ topic: "evolution.events", key: `key-${n}`, type: "itinera.evolution.v1.Event", payload: Buffer.from([0x0a, n % 128]), headers: { request_id: `req-${n}` } });

export const MIGRATION_ROWS: Record<string, RowWriter> = {
  async booking(knex, n) {
    await knex("reservations").insert({
      reservation_id: `res-${n}`,
      payment_id: `pay-${n}`,
      customer_id: `cus-${n}`,
      state: "cancelled",
      item: { sellerId: "seller-a", title: "Hotel Aurora", hotelStay: { hotelId: "h-1", roomId: "r-1" } },
      currency: "EUR",
      amount_minor: 10_000,
      markdown_minor: 500,
      hold_id: `hold-${n}`,
      seller_reference: "ABC123",
      cancelled_from: "confirmed",
      cancellation_fee_minor: 1000,
      refunded_minor: 9000,
      wallet_refund_minor: 500,
      create_time: t0,
      update_time: t0,
    });
    await knex("availability").insert({ seller_id: "seller-a", hotel_id: "h-1", room_id: `r-${n}`, night: "2027-01-01", remaining: 3 });
    await inbox(knex, "inbox", n);
    await outbox(knex, n);
  },

  async catalog(knex, n) {
    await knex("cities").insert({ city_id: `lisbon-${n}`, name: "Lisboa", country_code: "PT", country_name: "Portugal", update_time: t0 });
    await knex("city_aliases").insert({ city_id: `lisbon-${n}`, seller_id: "seller-a", alias: "Lisbon" });
    await knex("hotel_sellers").insert({ hotel_id: `h-${n}`, seller_id: "seller-a", listing: { name: "Hotel Aurora" }, update_time: t0 });
    await knex("hotels").insert({
      hotel_id: `h-${n}`,
      name: "Hotel Aurora",
      city_id: `lisbon-${n}`,
      city_name: "Lisboa",
      country_code: "PT",
      country_name: "Portugal",
      star_rating: 4,
      address: "Rua Augusta 1",
      amenities: ["wifi"],
      image_urls: ["https://img.example/1.jpg"],
      seller_ids: ["seller-a"],
      update_time: t0,
      search_doc: knex.raw("hotel_search_doc(?, ?, ?, ?, ?)", ["Hotel Aurora", `lisbon-${n}`, "Lisboa", "Portugal", "PT"]),
    });
    await knex("search_words").insert({ word: `aurora${n}` });
    await knex("rooms").insert({ hotel_id: `h-${n}`, room_id: "r-1", name: "Double", max_occupancy: 2, amenities: ["balcony"] });
    await knex("airports").insert({
      code: `L${String.fromCharCode(64 + n)}S`,
      name: "Humberto Delgado",
      city_id: `lisbon-${n}`,
      city_name: "Lisboa",
      country_code: "PT",
      time_zone: "Europe/Lisbon",
      update_time: t0,
    });
    await knex("flight_sellers").insert({ flight_id: `SL${n}-2027-01-01`, seller_id: "seller-a", listing: { carrier: "SL" }, update_time: t0 });
    await knex("flights").insert({
      flight_id: `SL${n}-2027-01-01`,
      carrier_code: "SL",
      carrier_name: "Sky Lines",
      flight_number: `SL${n}`,
      origin: "LIS",
      destination: "MAD",
      departure_time: "2027-01-01T08:00:00Z",
      arrival_time: "2027-01-01T10:00:00Z",
      departure_date: "2027-01-01",
      aircraft: "A320",
      cabin_services: ["meal"],
      seller_ids: ["seller-a"],
      update_time: t0,
    });
  },

  async identity(knex, n) {
    await knex("customers").insert({
      customer_id: uuid(n),
      email: `traveller${n}@example.com`,
      display_name: "Traveller",
      password_hash: "scrypt$16384$8$1$c2FsdA$aGFzaA",
      roles: ["customer"],
      create_time: t0,
      verified_time: t0,
    });
    await knex("signing_keys").insert({ kid: `key-${n}`, private_pem: "-----BEGIN PRIVATE KEY-----", public_jwk: { kty: "OKP" }, create_time: t0 });
    await knex("refresh_families").insert({ family_id: uuid(100 + n), customer_id: uuid(n), create_time: t0 });
    await knex("refresh_tokens").insert({
      token_hash: Buffer.from(`token-${n}`),
      customer_id: uuid(n),
      family_id: uuid(100 + n),
      expire_time: "2027-01-01T00:00:00Z",
      create_time: t0,
    });
    await knex("throttles").insert({ key: `sign-in:${hex32(n)}`, failures: 2, blocked_until: t0, update_time: t0 });
    await knex("email_verifications").insert({
      token_hash: Buffer.from(`link-${n}`),
      customer_id: uuid(n),
      password_hash: "scrypt$16384$8$1$c2FsdA$aGFzaA",
      display_name: "Traveller",
      expire_time: "2027-01-01T00:00:00Z",
      create_time: t0,
    });
    await outbox(knex, n);
  },

  async mailer(knex, n) {
    await knex("emails").insert({
      reservation_id: `res-${n}`,
      kind: "invoice",
      message_id: `<invoice.res-${n}@itinera.example>`,
      subject: "Your booking",
      state: "sent",
      attempts: 1,
      send_time: t0,
    });
    await inbox(knex, "account_inbox", n);
  },

  async payment(knex, n) {
    const payment_id = `pay_${hex32(n)}`;
    await knex("payments").insert({
      payment_id,
      customer_id: `cus-${n}`,
      item: Buffer.from([0x0a, 0x01, 0x61]),
      currency: "EUR",
      amount_minor: 10_000,
      markdown_minor: 500,
      refunded_minor: 2000,
      state: "authorised",
      session_id: `cs_${n}`,
      redirect_url: "https://gateway.example/pay",
      return_url: "https://itinera.example/return",
      reservation_id: `res-${n}`,
      create_time: t0,
      update_time: t0,
      authorise_time: t0,
    });
    await knex("commands").insert({
      scope: `customer:cus-${n}`,
      idempotency_key: `key-${n}`,
      method: "MakePayment",
      request_hash: Buffer.from("hash"),
      payment_id,
      response: Buffer.from([0x0a, 0x00]),
    });
    await knex("refunds").insert({ idempotency_key: `refund-${n}`, payment_id, refund_id: `re_${n}`, amount_minor: 2000, create_time: t0 });
    await knex("gateway_events").insert({ event_id: `evt-${n}`, payment_id, status: "authorised" });
    await inbox(knex, "inbox", n);
    await outbox(knex, n);
  },

  async pricing(knex, n) {
    await knex("nightly_rates").insert({
      seller_id: "seller-a",
      hotel_id: `h-${n}`,
      room_id: "r-1",
      night: "2027-01-01",
      price_minor: 9000,
      currency: "EUR",
      available: 3,
      price_time: t0,
    });
    await knex("rooms").insert({ hotel_id: `h-${n}`, room_id: "r-1", seller_id: "seller-a" });
    await knex("stay_totals").insert({
      hotel_id: `h-${n}`,
      check_in: "2027-01-01",
      nights: 2,
      room_id: "r-1",
      seller_id: "seller-a",
      total_minor: 18_000,
      list_total_minor: 20_000,
      currency: "EUR",
      promotion: "early-bird",
      available: 3,
      price_time: t0,
    });
    await knex("flight_fares").insert({
      origin: "LIS",
      destination: "MAD",
      departure_date: `2027-01-${String(n).padStart(2, "0")}`,
      fares: JSON.stringify([{ flightId: "SL1-2027-01-01" }]),
      fetch_time: t0,
      expire_time: "2027-01-01T00:00:00Z",
    });
    await knex("rules").insert({ name: `winter-${n}`, kind: "promotion", expression: "check_in_month == 1", percent_off: 5 });
    await knex("sold_out_nights").insert({ seller_id: "", hotel_id: `h-${n}`, room_id: "r-1", night: "2027-01-01", balance: 1 });
    await inbox(knex, "inbox", n);
  },

  async sellers(knex, n) {
    await knex("feeds").insert({ seller_id: `seller-${n}`, last_sync_time: t0 });
    await knex("pushes").insert({ seller_id: `seller-${n}`, push_id: `push-${n}`, listings: 1, rates: 2, receive_time: t0 });
    await knex("coverage").insert({ item: `hotel:h-${n}`, seller_id: `seller-${n}` });
    await knex("flight_routes").insert({ flight_number: `SL${n}`, origin: "LIS", destination: "MAD" });
    await knex("seller_bookings").insert({
      reservation_id: `res-${n}`,
      seller_id: `seller-${n}`,
      status: "confirmed",
      reference: "ABC123",
      attempts: 1,
      outcome: "confirmed",
      finish_time: t0,
    });
    await knex("pull_state").insert({ seller_id: `seller-${n}`, part: "version", value: "v1@2027-01-01" });
    await inbox(knex, "inbox", n);
  },

  async wallet(knex, n) {
    await knex("balances").insert({ customer_id: `cus-${n}`, currency: "EUR", available_minor: 1000, held_minor: 0 });
    await knex("holds").insert({
      hold_id: uuid(n),
      customer_id: `cus-${n}`,
      currency: "EUR",
      amount_minor: 500,
      state: "captured",
      reference: `res-${n}`,
      create_time: t0,
      settle_time: t0,
    });
    await knex("transactions").insert([
      { customer_id: `cus-${n}`, currency: "EUR", kind: "credit", amount_minor: 1500, reason: "cashback", available_after_minor: 1500, create_time: t0 },
      { customer_id: `cus-${n}`, currency: "EUR", kind: "capture", amount_minor: 500, hold_id: uuid(n), available_after_minor: 1000, create_time: t0 },
    ]);
    await knex("commands").insert({
      idempotency_key: `key-${n}`,
      method: "Credit",
      request_hash: Buffer.from("hash"),
      response: Buffer.from([0x0a, 0x00]),
    });
  },

  async bus(knex, n) {
    const [{ id }] = (await knex("bus.messages")
      .insert({ topic: "booking.reservations", key: `res-${n}`, type: "itinera.booking.v1.ReservationEvent", payload: Buffer.from([]), headers: { request_id: `req-${n}` } })
      .returning("id")) as [{ id: bigint }];
    await knex("bus.subscriptions").insert({ group_name: `group-${n}`, topic: "booking.reservations" });
    await knex("bus.deliveries").insert({ group_name: `group-${n}`, message_id: id, topic: "booking.reservations", key: `res-${n}` });
    await knex("bus.dead_letters").insert({
      group_name: `dead-${n}`,
      message_id: id,
      topic: "booking.reservations",
      key: `res-${n}`,
      attempts: 5,
      last_error: "seller down",
    });
  },
};
