// One TCP port for HTTP/2 cleartext (h2c, prior knowledge: gRPC, grpc-js,
// buf curl) AND HTTP/1.1 (browsers, curl, Connect and gRPC-Web over 1.1).
// A net.Server reads the first bytes of each connection: the HTTP/2 preface
// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` hands it to an http2 server, anything else
// to an http server; both run the same request handler.
//
//   const listener = await listenHttp1AndH2c(handler, { port: 0, host: "127.0.0.1", onHandlerError: (err) => log.error({ err }) });
//   listener.port;                        // the port actually bound
//   await listener.close(10_000, () => abortInFlight());
//
// close(graceMs, onGraceExpired): stops accepting connections at once; HTTP/2
// sessions get GOAWAY and close when their streams end; HTTP/1.1 connections
// close when idle (responses started while draining say `Connection: close`).
// What is still open after graceMs: `onGraceExpired` runs (abort handlers so
// they answer), and 250 ms later every remaining connection is destroyed.
//
// A handler that throws is a bug of ours, but never ends the process: the
// request gets 500 (or its connection is reset when the answer had started)
// and `onHandlerError` reports it; the listener keeps serving.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface ListenOptions {
  port: number;
  host: string;
  /** Told about a handler that threw (the request was answered 500). */
  onHandlerError: (error: unknown, req: Parameters<RequestHandler>[0]) => void;
}

export interface HttpListener {
  readonly port: number;
  close(graceMs: number, onGraceExpired?: () => void): Promise<void>;
}

/**
 * How many RST_STREAM frames a peer may send (nghttp2's token bucket: a
 * burst, then a rate a second) before its connection is closed with
 * ENHANCE_YOUR_CALM. nghttp2's defaults (1000, then 33/s) are a defence
 * against the rapid-reset attack, but a caller whose calls pass their
 * deadlines cancels each one with a reset: under load, a service doing a few
 * hundred calls a second lost whole connections — every call on them failing
 * INTERNAL — exactly when it was busiest (bench-search at 100/s). A
 * legitimate caller resets at most as often as it calls; an attack resets
 * hundreds of thousands of streams a second, still far above these.
 */
export const STREAM_RESETS = { streamResetBurst: 10_000, streamResetRate: 2_000 } as const;

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
/** A connection that has not sent its first bytes by then is dropped. */
const FIRST_BYTES_TIMEOUT_MS = 10_000;
/** After the grace period, how long aborted handlers get to send their errors. */
const ABORT_FLUSH_MS = 250;

export async function listenHttp1AndH2c(unguarded: RequestHandler, opts: ListenOptions): Promise<HttpListener> {
  const handler = guard(unguarded, opts.onHandlerError);
  let draining = false;
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  /** Connections whose first bytes have not arrived yet. */
  const sniffing = new Set<net.Socket>();
  /** HTTP/1.1 connections with their number of unfinished requests. */
  const http1Active = new Map<net.Socket, number>();

  const http1Server = http.createServer((req, res) => {
    const socket = req.socket;
    http1Active.set(socket, (http1Active.get(socket) ?? 0) + 1);
    // res.shouldKeepAlive = false makes Node send `Connection: close` and end the socket after it.
    if (draining) res.shouldKeepAlive = false;
    res.once("close", () => {
      const left = (http1Active.get(socket) ?? 1) - 1;
      http1Active.set(socket, left);
      if (draining && left === 0) socket.end();
    });
    handler(req, res);
  });
  const http2Server = http2.createServer(STREAM_RESETS, handler);
  http2Server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (draining) session.close();
  });

  // noDelay: answers are small writes; Nagle would hold them for the peer's delayed ACK.
  const netServer = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      sniffing.delete(socket);
      http1Active.delete(socket);
    });
    socket.on("error", () => {}); // resets by peers; the http servers report what matters
    sniffing.add(socket);
    sniff(socket, (isHttp2) => {
      sniffing.delete(socket);
      if (isHttp2) {
        http2Server.emit("connection", socket);
        // The http2 session reads what is buffered in the socket itself.
      } else {
        http1Active.set(socket, 0);
        http1Server.emit("connection", socket);
        socket.resume();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    netServer.once("error", reject);
    netServer.listen(opts.port, opts.host, () => {
      netServer.off("error", reject);
      resolve();
    });
  });
  const port = (netServer.address() as net.AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (graceMs: number, onGraceExpired?: () => void) => (closing ??= drain(graceMs, onGraceExpired));

  async function drain(graceMs: number, onGraceExpired?: () => void): Promise<void> {
    draining = true;
    const allClosed = new Promise<void>((resolve) => netServer.close(() => resolve()));
    for (const session of sessions) session.close();
    for (const [socket, active] of http1Active) if (active === 0) socket.end();
    for (const socket of sniffing) socket.destroy();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), graceMs)));
    const outcome = await Promise.race([allClosed.then(() => "closed" as const), graceOver]);
    clearTimeout(timer);
    if (outcome === "expired") {
      onGraceExpired?.();
      await Promise.race([allClosed, new Promise((r) => setTimeout(r, ABORT_FLUSH_MS))]);
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await allClosed;
    }
  }

  return { port, close };
}

/** The handler, with whatever it throws answered 500 instead of escaping into the HTTP server (and the process). */
function guard(handler: RequestHandler, onError: ListenOptions["onHandlerError"]): RequestHandler {
  return (req, res) => {
    try {
      handler(req, res);
    } catch (e) {
      onError(e, req);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.statusCode = 500;
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end("internal error\n");
    }
  };
}

/**
 * Reads until the first bytes tell whether the connection speaks HTTP/2 (the
 * preface) or not, puts them back into the socket, and calls `decide` once.
 */
function sniff(socket: net.Socket, decide: (isHttp2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), FIRST_BYTES_TIMEOUT_MS).unref();
  const onClose = () => clearTimeout(timer);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, PREFACE.length);
    const prefixOfPreface = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
    if (prefixOfPreface && seen.length < PREFACE.length) return; // not enough bytes yet
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("close", onClose);
    socket.pause();
    socket.unshift(seen);
    decide(prefixOfPreface);
  };
  socket.on("data", onData);
  socket.once("close", onClose);
}
