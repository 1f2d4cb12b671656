// The store's unit of work gives the outbox its events go into: what is
// published there is written by the unit's own transaction, so it commits
// with the change it reports and vanishes when the unit throws.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReservationSchema } from "../../gen/itinera/booking/v1/booking_pb.js";
import { publishReservationEvent } from "./events.js";
import { bookingFixture, type BookingFixture } from "./fixture.js";

let f: BookingFixture;

test.before(async () => {
  f = await bookingFixture();
});
test.after(async () => {
  await f?.close();
});

const reservation = (reservationId: string) => create(ReservationSchema, { reservationId });

test("an event published into a unit of work's outbox is written only if the unit commits", async () => {
  const before = (await f.counts()).messages;
  const aborted = await f.store
    .transaction(async (tx) => {
      await publishReservationEvent(f.bus, tx.outbox, f.serviceCtx(), "paid", reservation("res_rolledback"));
      throw new Error("the change failed after its event was published");
    })
    .catch((e: Error) => e.message);
  assert.is(aborted, "the change failed after its event was published");
  assert.is((await f.counts()).messages, before, "a rolled-back unit of work leaves no message");

  await f.store.transaction((tx) => publishReservationEvent(f.bus, tx.outbox, f.serviceCtx(), "paid", reservation("res_committed")));
  assert.equal(
    (await f.events()).map((e) => [e.key, e.kind]),
    [["res_committed", "paid"]],
  );
});

test.run();
