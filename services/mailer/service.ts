// itinera.mailer.v1.MailerService: what operators and tests read — the
// e-mails sent about a reservation. Services only (the contract's access
// option; the access middleware enforces it). Pure: no transport here.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Service } from "../../endpoints/service.js";
import { EmailKind, type MailerService } from "../../gen/itinera/mailer/v1/mailer_pb.js";
import type { EmailStore, EmailType } from "./store.js";

const KIND: Record<EmailType, EmailKind> = {
  invoice: EmailKind.INVOICE,
  apology: EmailKind.APOLOGY,
  cancellation: EmailKind.CANCELLATION,
};

export function mailerService(deps: { store: EmailStore }): Service<typeof MailerService> {
  return {
    async listEmails(_ctx, req) {
      const rows = await deps.store.listSent(req.reservationId);
      return {
        emails: rows.map((r) => ({
          messageId: r.messageId,
          reservationId: r.reservationId,
          kind: KIND[r.kind],
          subject: r.subject,
          sendTime: r.sendTime ? timestampFromDate(r.sendTime) : undefined,
        })),
      };
    },
  };
}
