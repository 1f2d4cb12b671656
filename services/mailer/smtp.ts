// The SMTP server is a third party: this adapter sends one message through
// nodemailer and turns its failures into errors that carry no address (the
// server's replies often quote the recipient, and errors end up in logs and
// in the bus's dead letters). Each send is a CLIENT span in the trace of the
// message that asked for it (when the process records spans).
import type { Tracer } from "@opentelemetry/api";
import { createTransport } from "nodemailer";
import type { Context } from "../../endpoints/context.js";
import { inClientSpan } from "../../endpoints/middleware/tracing.js";

export interface OutgoingEmail {
  /** The Message-ID header, angle brackets included. */
  messageId: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
}

/** Sends e-mails: resolves once the server accepted the message. */
export interface Sender {
  send(ctx: Context, mail: OutgoingEmail): Promise<void>;
  close(): void;
}

export interface SmtpSenderOptions {
  /** smtp://host:port (SMTP_URL); query parameters such as ?ignoreTLS=true are nodemailer options. */
  url: string;
  /** The From header: "Itinera <bookings@itinera.example>". */
  from: string;
  /** Limit for connecting, the greeting and each wait on the socket. Default 10 s. */
  timeoutMs?: number;
  /** The process's tracer (rt.tracer): each send gets its span. */
  tracer?: Tracer;
}

export function smtpSender(opts: SmtpSenderOptions): Sender {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // One connection per message (no pool): a message's fate never depends on a
  // connection an earlier one left in an unknown state. Nodemailer's own
  // logger stays off: it would log recipients.
  const transport = createTransport({
    url: opts.url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
  });
  const server = new URL(opts.url);
  const attributes = { "network.protocol.name": "smtp", "server.address": server.hostname, "server.port": Number(server.port || 25) };
  const deliver = async (mail: OutgoingEmail) => {
    try {
      await transport.sendMail({
        from: opts.from,
        to: { name: mail.to.name, address: mail.to.address },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    } catch (e) {
      throw smtpError(e);
    }
  };
  return {
    send: (ctx, mail) => (opts.tracer ? inClientSpan(opts.tracer, ctx, "smtp send", attributes, () => deliver(mail)) : deliver(mail)),
    close: () => transport.close(),
  };
}

/** A new Error with the failure's code and a message whose addresses are masked; nothing else is copied. */
export function smtpError(e: unknown): Error {
  const err = e as { message?: unknown; code?: unknown; responseCode?: unknown };
  const parts = [
    typeof err.code === "string" ? err.code : undefined,
    typeof err.responseCode === "number" ? String(err.responseCode) : undefined,
  ].filter(Boolean);
  const message = maskAddresses(typeof err.message === "string" ? err.message : String(e));
  return new Error(`SMTP send failed${parts.length ? ` (${parts.join(" ")})` : ""}: ${message}`);
}

/** "a.b@example.com" → "<address>", wherever it appears. */
export function maskAddresses(text: string): string {
  return text.replace(/[^\s<>"'@,;:()]+@[^\s<>"',;:()]+/g, "<address>");
}
