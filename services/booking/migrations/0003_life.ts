// The rest of a reservation's life (issue 14):
// - ends_time: when its stay or flight has ended everywhere (ends.ts), the
//   fulfilment sweep's index; existing rows are filled from their items;
// - availability.remaining may go below zero: a night keeps counting the
//   bookings past its threshold, so that a cancelled or failed booking gives
//   back exactly the one it took, and a night comes back (RoomAvailable)
//   only when its last over-threshold booking is gone.
import type { Knex } from "knex";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ItemSchema } from "../../../gen/itinera/type/v1/item_pb.js";
import { endOf } from "../ends.js";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table reservations add column ends_time timestamptz;
    create index reservations_to_fulfil on reservations (ends_time) where state = 'confirmed';
    alter table availability drop constraint availability_remaining_check;
  `);
  const rows = (await knex("reservations").whereNull("ends_time").select("reservation_id", "item")) as { reservation_id: string; item: JsonValue }[];
  for (const r of rows) {
    const ends = endOf(fromJson(ItemSchema, r.item));
    if (ends) await knex("reservations").where({ reservation_id: r.reservation_id }).update({ ends_time: ends });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    update availability set remaining = 0 where remaining < 0;
    alter table availability add constraint availability_remaining_check check (remaining >= 0);
    drop index reservations_to_fulfil;
    alter table reservations drop column ends_time;
  `);
}
