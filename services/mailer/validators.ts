// What the mailer accepts, checked by the validation middleware before the service runs.
import { required, validator } from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { MailerService } from "../../gen/itinera/mailer/v1/mailer_pb.js";

export function mailerValidators(): Validators<typeof MailerService> {
  return {
    listEmails: validator((req) => [required("reservation_id", req.reservationId, { maxLen: 128 })]),
  };
}
