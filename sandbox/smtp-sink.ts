// The sandbox SMTP sink: accepts any mail on SMTP_PORT (2525; no auth, no
// TLS) and keeps EVERY delivery in memory — a message sent twice is stored
// twice and marked as a duplicate, never merged, so tests can prove that the
// mailer sends one e-mail per event. A viewer on SMTP_VIEW_PORT (7126):
//   GET /                      inbox, newest first (duplicates marked)
//   GET /messages/<id>         one message (HTML body in a sandboxed iframe, or the text)
//   GET /api/messages[?to=]    [{id,message_id,to,from,subject,text,html,headers,received_at,+duplicate}], oldest first
//   +GET /api/messages/<id>    one of them
//   DELETE /api/messages       forget every message (+POST /admin/reset does the same)
//   GET /admin/stats           {"messages": n} (what the supervisor waits on), +GET /healthz
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { pino, type Logger } from "pino";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { HttpError, jsonReply, listen, send, type Reply, type RunningServer } from "./http.js";
import { inboxPage, messagePage, notFoundPage } from "./smtp-viewer.js";

export const SMTP_PORT = 2525;
export const SMTP_VIEW_PORT = 7126;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface StoredMessage {
  id: string;
  /** The Message-ID header ("" when there was none). */
  message_id: string;
  /** The envelope recipients (RCPT TO): who it was delivered to. */
  to: string[];
  /** The From header as written ("Itinera <no-reply@…>"), else the envelope sender. */
  from: string;
  subject: string;
  text: string;
  /** null when the message has no HTML part. */
  html: string | null;
  /** Header lines by lower-case name; repeated headers joined with "\n". */
  headers: Record<string, string>;
  received_at: string;
  /** Its Message-ID was delivered before. */
  duplicate: boolean;
}

export interface SmtpSinkOptions {
  /** Default 0: any free port. */
  smtpPort?: number;
  /** Default 0: any free port. */
  viewPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: silent. */
  log?: Logger;
}

/** The viewer's url and port (RunningServer), plus the SMTP port. */
export interface RunningSmtpSink extends RunningServer {
  smtpPort: number;
  messages(): readonly StoredMessage[];
}

function headerMap(parsed: ParsedMail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const i = line.indexOf(":");
    const value = line.slice(i + 1).replace(/\r?\n[ \t]+/g, " ").trim();
    out[key] = out[key] === undefined ? value : `${out[key]}\n${value}`;
  }
  return out;
}

async function readMessage(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<RunningSmtpSink> {
  const log = opts.log ?? pino({ level: "silent" });
  const host = opts.host ?? "127.0.0.1";
  const stored: StoredMessage[] = [];
  let seq = 0;

  const store = (parsed: ParsedMail, session: SMTPServerSession): StoredMessage => {
    const messageId = parsed.messageId ?? "";
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
    const message: StoredMessage = {
      id: `m${++seq}`,
      message_id: messageId,
      to: session.envelope.rcptTo.map((r) => r.address),
      from: parsed.from?.text ?? envelopeFrom,
      subject: parsed.subject ?? "",
      text: parsed.text ?? "",
      html: parsed.html === false ? null : parsed.html,
      headers: headerMap(parsed),
      received_at: new Date().toISOString(),
      duplicate: messageId !== "" && stored.some((m) => m.message_id === messageId),
    };
    stored.push(message);
    // Ids only: addresses and subjects are personal data.
    log.info({ id: message.id, message_id: messageId, duplicate: message.duplicate }, "mail received");
    return message;
  };

  const smtp = new SMTPServer({
    banner: "Itinera sandbox SMTP sink",
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    logger: false,
    size: MAX_MESSAGE_BYTES,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      readMessage(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error(`message over ${MAX_MESSAGE_BYTES} bytes`), { responseCode: 552 }));
            return;
          }
          const message = store(await simpleParser(raw), session);
          callback(null, `stored as ${message.id}`);
        })
        .catch((e: unknown) => {
          log.warn({ err: e }, "mail not stored");
          callback(Object.assign(new Error("message could not be read"), { responseCode: 451 }));
        });
    },
  });
  smtp.on("error", (e) => log.warn({ err: e }, "smtp connection error"));
  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.server.once("error", reject);
    smtp.listen(opts.smtpPort ?? 0, host, () => {
      smtp.server.off("error", reject);
      resolve((smtp.server.address() as AddressInfo).port);
    });
  });

  const forRecipient = (to: string | null) =>
    to ? stored.filter((m) => m.to.some((a) => a.toLowerCase() === to.trim().toLowerCase())) : stored;
  const byId = (id: string) => stored.find((m) => m.id === id);
  const html = (body: string, status = 200): Reply => ({ status, contentType: "text/html; charset=utf-8", body });
  const clear = () => {
    stored.length = 0;
    return jsonReply({ messages: 0 });
  };

  const route = (req: IncomingMessage): Reply => {
    const url = new URL(req.url ?? "/", "http://viewer");
    const at = `${req.method ?? "GET"} ${url.pathname}`;
    if (at === "GET /healthz" || at === "GET /readyz") return jsonReply({ status: "ok" });
    if (at === "GET /admin/stats") return jsonReply({ messages: stored.length });
    if (at === "GET /") return html(inboxPage(stored));
    if (at === "GET /api/messages") return jsonReply(forRecipient(url.searchParams.get("to")));
    if (at === "DELETE /api/messages" || at === "POST /admin/reset") return clear();
    const api = /^GET \/api\/messages\/([^/]+)$/.exec(at);
    if (api) {
      const m = byId(decodeURIComponent(api[1]!));
      if (!m) throw new HttpError(404, `no message ${api[1]}`);
      return jsonReply(m);
    }
    const page = /^GET \/messages\/([^/]+)$/.exec(at);
    if (page) {
      const m = byId(decodeURIComponent(page[1]!));
      return m ? html(messagePage(m)) : html(notFoundPage(), 404);
    }
    throw new HttpError(404, `no route ${at}`);
  };

  let viewer: RunningServer;
  try {
    viewer = await listen(
      (req, res) => {
        try {
          send(res, route(req));
        } catch (e) {
          if (!(e instanceof HttpError)) log.error({ err: e }, "viewer request failed");
          send(res, jsonReply({ error: e instanceof HttpError ? e.message : "internal error" }, e instanceof HttpError ? e.status : 500));
        }
      },
      opts.viewPort ?? 0,
      host,
    );
  } catch (e) {
    await new Promise<void>((done) => smtp.close(() => done()));
    throw e;
  }
  return {
    ...viewer,
    smtpPort,
    messages: () => stored,
    close: async () => {
      await Promise.all([viewer.close(), new Promise<void>((done) => smtp.close(() => done()))]);
    },
  };
}
