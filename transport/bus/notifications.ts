// One LISTEN connection per bus, shared by its subscriptions: a NOTIFY on
// `bus_<topic>` (sent by publish, delivered on commit) wakes every consumer of
// that topic at once. If the connection is lost, consumers still find their
// messages by their slow poll.
import type { Knex } from "knex";
import type pg from "pg";
import type { Logger } from "pino";

/** The channel a topic's publishes notify. */
export function channelOf(topic: string): string {
  return `bus_${topic}`;
}

export class Notifications {
  private readonly wakers = new Map<string, Set<() => void>>();
  private connection: pg.Client | undefined;
  private opening: Promise<pg.Client | undefined> | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly log: Logger,
  ) {}

  /** Calls `wake` on every notification on `channel` until the returned function is called. */
  async listen(channel: string, wake: () => void): Promise<() => Promise<void>> {
    let set = this.wakers.get(channel);
    const first = set === undefined;
    if (!set) this.wakers.set(channel, (set = new Set()));
    set.add(wake);
    const connection = await this.open();
    if (first && connection) await connection.query(`listen ${quoteIdent(channel)}`);
    return async () => {
      set.delete(wake);
      if (set.size > 0 || this.wakers.get(channel) !== set) return;
      this.wakers.delete(channel);
      await this.connection?.query(`unlisten ${quoteIdent(channel)}`).catch(() => undefined);
    };
  }

  /**
   * The backend pid of the LISTEN connection while it is up: it lives as long
   * as this process, so a lease recorded with it ends when the process dies.
   */
  holder(): number | undefined {
    // Set by node-postgres from the server's BackendKeyData; its typings omit it.
    return (this.connection as (pg.Client & { processID?: number | null }) | undefined)?.processID ?? undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.wakers.clear();
    await this.opening;
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.removeAllListeners("notification");
    await connection.query("unlisten *").catch(() => undefined);
    // Back to the pool, which discards it if it is broken.
    await this.knex.client.releaseConnection(connection);
  }

  private open(): Promise<pg.Client | undefined> {
    this.opening ??= this.connect();
    return this.opening;
  }

  private async connect(): Promise<pg.Client | undefined> {
    if (this.closed) return undefined;
    try {
      // A connection of the knex pool, held for the bus's lifetime.
      const connection = (await this.knex.client.acquireConnection()) as pg.Client;
      connection.on("notification", (n: pg.Notification) => {
        for (const wake of this.wakers.get(n.channel) ?? []) wake();
      });
      connection.on("error", (e: Error) => {
        if (this.connection !== connection) return;
        this.log.warn({ err: e }, "bus LISTEN connection lost; polling until it is back");
        this.connection = undefined;
        connection.removeAllListeners("notification");
        void Promise.resolve(this.knex.client.releaseConnection(connection)).catch(() => undefined);
        this.scheduleReconnect();
      });
      this.connection = connection;
      return connection;
    } catch (e) {
      this.log.warn({ err: e }, "bus LISTEN connection failed; polling until it is back");
      this.scheduleReconnect();
      return undefined;
    }
  }

  /** Reconnects in a second, listens again on every channel, and wakes everyone (notifications may have been missed). */
  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.opening = this.connect().then(async (connection) => {
        if (!connection) return undefined;
        try {
          for (const channel of this.wakers.keys()) await connection.query(`listen ${quoteIdent(channel)}`);
        } catch (e) {
          this.log.warn({ err: e }, "bus LISTEN failed");
        }
        for (const set of this.wakers.values()) for (const wake of set) wake();
        return connection;
      });
    }, 1000);
    this.reconnectTimer.unref();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
