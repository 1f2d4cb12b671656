// The booking saga end to end with the event bus on NATS JetStream (a local
// nats-server the supervisor starts, as under `make start BUS=nats`): the
// same cases as on PostgreSQL (booking-cases.ts).
// test-timeout-seconds: 300
import { bookingCases } from "./booking-cases.js";

bookingCases({ bus: "nats" }).run();
