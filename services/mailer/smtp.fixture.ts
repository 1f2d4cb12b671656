// A real SMTP server in the test process (smtp-server), standing in for the
// third party the mailer sends through. It keeps every delivery (duplicates
// too) and can be told to refuse messages or to hold its reply:
//   "accept"  stores the message, answers 250;
//   "reject"  reads the message, answers 451 (quoting the recipient, as real servers do);
//   "hold"    stores the message — a real MTA commits before it replies — and
//             answers 250 only when the test calls release(): the window in
//             which a sender can die after the server has the message.
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerDataStream } from "smtp-server";

export interface Delivery {
  messageId: string;
  /** The envelope's recipients (RCPT TO). */
  rcptTo: string[];
  /** The To header as text ("Ana Lima <ana@example.com>"). */
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
}

export type SmtpMode = "accept" | "reject" | "hold";

export interface FakeSmtp {
  /** smtp://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Every message the server took (accept and hold), in order. */
  readonly deliveries: Delivery[];
  /** Messages refused in "reject" mode. */
  readonly rejected: number;
  mode: SmtpMode;
  /** Replies 250 to every held message. */
  release(): void;
  /** How many messages wait for release(). */
  readonly holding: number;
  close(): Promise<void>;
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const deliveries: Delivery[] = [];
  const held: (() => void)[] = [];
  let rejected = 0;
  const state = { mode: "accept" as SmtpMode };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    logger: false,
    closeTimeout: 500,
    onData(stream, session, callback) {
      const rcptTo = session.envelope.rcptTo.map((r) => r.address);
      readAll(stream)
        .then(async (raw) => {
          if (state.mode === "reject") {
            rejected++;
            callback(Object.assign(new Error(`4.3.0 <${rcptTo.join(",")}>: mailbox busy, try again later`), { responseCode: 451 }));
            return;
          }
          const parsed = await simpleParser(raw);
          deliveries.push({
            messageId: parsed.messageId ?? "",
            rcptTo,
            to: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(", ") : (parsed.to?.text ?? ""),
            from: parsed.from?.text ?? "",
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: parsed.html === false ? "" : (parsed.html ?? ""),
          });
          if (state.mode === "hold") held.push(() => callback(null, "queued after a hold"));
          else callback(null, "queued");
        })
        .catch((e: unknown) => callback(Object.assign(new Error(String(e)), { responseCode: 451 })));
    },
  });
  server.on("error", () => {}); // a client killed mid-session is expected in these tests
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.server.address() as AddressInfo).port));
  });

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    deliveries,
    get rejected() {
      return rejected;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: SmtpMode) {
      state.mode = m;
    },
    release() {
      for (const reply of held.splice(0)) reply();
    },
    get holding() {
      return held.length;
    },
    close() {
      for (const reply of held.splice(0)) reply();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
