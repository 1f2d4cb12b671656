// Change signals: a small protobuf message sent with PostgreSQL NOTIFY inside
// the transaction that made a change, so that every listener — each replica
// of a cache — hears of it when the change commits, and never of a change
// that rolled back. Nothing is kept: a listener that loses its connection may
// have missed signals, so it is told it is not live until it has listened
// again, and then must assume anything changed. That is what a cache needs
// (drop everything, fill again); a consumer that must see every message uses
// the bus (endpoints/bus.ts) instead.
//
//   await sendSignal(trx, "pricing_hotel_prices", HotelPricesChangedSchema, message);
//   const listener = listenForSignals({ url, log, signals: [signal("pricing_hotel_prices", HotelPricesChangedSchema, onChange)], onLive });
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import pg from "pg";
import type { Logger } from "pino";

/** NOTIFY payloads must stay under 8000 bytes; ids are grouped well below (base64 adds a third). */
const MAX_IDS_CHARS = 4000;

/** `ids` in groups small enough for one signal each. */
export function idGroups(ids: readonly string[], maxChars = MAX_IDS_CHARS): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let chars = 0;
  for (const id of ids) {
    if (group.length > 0 && chars + id.length + 2 > maxChars) {
      groups.push(group);
      group = [];
      chars = 0;
    }
    group.push(id);
    chars += id.length + 2;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Sends `message` on `channel` when `trx` commits (at once on a plain knex). */
export async function sendSignal<Desc extends DescMessage>(trx: Knex | Knex.Transaction, channel: string, schema: Desc, message: MessageShape<Desc>): Promise<void> {
  await trx.raw("select pg_notify(?, ?)", [channel, Buffer.from(toBinary(schema, message)).toString("base64")]);
}

/** One channel a listener follows, with what it does with each message. */
export interface Signal {
  readonly channel: string;
  handle(payload: string): void;
}

/** A Signal that decodes `schema` from each payload. */
export function signal<Desc extends DescMessage>(channel: string, schema: Desc, handle: (message: MessageShape<Desc>) => void): Signal {
  return { channel, handle: (payload) => handle(fromBinary(schema, Buffer.from(payload, "base64"))) };
}

export interface SignalListenerOptions {
  /** The database the signals are sent on. */
  readonly url: string;
  readonly log: Logger;
  readonly signals: readonly Signal[];
  /**
   * False as soon as the connection is lost (signals may be missed from then
   * on) or a payload could not be read; true once listening on every channel
   * again. A cache serves nothing while not live, and forgets everything when
   * it becomes live again.
   */
  readonly onLive: (live: boolean) => void;
  /** Milliseconds between attempts to listen again; default 1000. */
  readonly retryMs?: number;
}

export interface SignalListener {
  close(): Promise<void>;
}

/** Listens on every channel of `signals` on a connection of its own, reconnecting until closed. */
export function listenForSignals(o: SignalListenerOptions): SignalListener {
  const handlers = new Map(o.signals.map((s) => [s.channel, s]));
  const retryMs = o.retryMs ?? 1000;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** Said once per outage, not once a retry. */
  let failing = false;

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    timer.unref();
  };

  const lost = (c: pg.Client, e?: Error) => {
    if (client !== c) return;
    client = undefined;
    o.onLive(false);
    o.log.warn({ err: e }, "change signals: connection lost; caches are off until it is back");
    failing = true;
    c.removeAllListeners();
    c.on("error", () => undefined);
    void c.end().catch(() => undefined);
    retry();
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString: o.url });
    c.on("error", (e: Error) => lost(c, e));
    c.on("end", () => lost(c));
    c.on("notification", (n: pg.Notification) => {
      try {
        handlers.get(n.channel)?.handle(n.payload ?? "");
      } catch (e) {
        // What changed is unknown: off and on again forgets everything.
        o.log.warn({ err: e, channel: n.channel }, "change signals: unreadable payload; caches start over");
        o.onLive(false);
        o.onLive(true);
      }
    });
    try {
      await c.connect();
      for (const channel of handlers.keys()) await c.query(`listen "${channel.replace(/"/g, '""')}"`);
    } catch (e) {
      if (!failing) o.log.warn({ err: e }, "change signals: cannot listen; caches are off until it can (retrying)");
      failing = true;
      c.removeAllListeners();
      c.on("error", () => undefined);
      void c.end().catch(() => undefined);
      retry();
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    if (failing) o.log.info("change signals: listening again; caches back on, empty");
    failing = false;
    o.onLive(true);
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners();
        c.on("error", () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}
