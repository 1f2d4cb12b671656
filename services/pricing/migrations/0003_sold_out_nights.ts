// How many times booking announced each room-night sold out (RoomSoldOut)
// and not yet available again (RoomAvailable): the two arrive on separate
// topics, in any order, so pricing counts them per night and a night's
// prices are firm again only when the count is back to zero
// (availability.ts). Rows at zero are deleted; a negative count is a
// RoomAvailable that overtook its RoomSoldOut.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table sold_out_nights (
      -- '' when the RoomSoldOut named no seller (every seller's prices)
      seller_id text    not null,
      hotel_id  text    not null,
      room_id   text    not null,
      night     date    not null,
      balance   integer not null,
      primary key (seller_id, hotel_id, room_id, night)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table sold_out_nights`);
}
