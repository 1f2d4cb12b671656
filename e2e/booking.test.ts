// The booking saga end to end on the default bus engine, PostgreSQL: the cases are booking-cases.ts's.
// test-timeout-seconds: 300
import { bookingCases } from "./booking-cases.js";

bookingCases().run();
