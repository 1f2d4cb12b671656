// Test helper: what a change signal channel carried while an action ran,
// heard on a connection of the test's own and bracketed by marker signals,
// so that "nothing was sent" is a fact rather than a wait.
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type pg from "pg";
import { until } from "./processes.testing.js";

export interface SignalRecorder<M> {
  /** The messages sent on the channel while `action` ran (and committed). */
  heardDuring(action: () => Promise<unknown>): Promise<M[]>;
  close(): Promise<void>;
}

export async function signalRecorder<Desc extends DescMessage>(knex: Knex, channel: string, schema: Desc): Promise<SignalRecorder<MessageShape<Desc>>> {
  const connection = (await knex.client.acquireConnection()) as pg.Client;
  const heard: (MessageShape<Desc> | "marker")[] = [];
  const onNotification = (n: pg.Notification) => {
    if (n.channel !== channel) return;
    heard.push(n.payload ? fromBinary(schema, Buffer.from(n.payload, "base64")) : "marker");
  };
  connection.on("notification", onNotification);
  await connection.query(`listen "${channel}"`);

  const drained = async () => {
    await knex.raw("select pg_notify(?, '')", [channel]);
    await until("the marker signal", () => (heard.includes("marker") ? true : undefined));
    const before = heard.filter((m): m is MessageShape<Desc> => m !== "marker");
    heard.length = 0;
    return before;
  };
  return {
    async heardDuring(action) {
      await drained();
      await action();
      return drained();
    },
    async close() {
      connection.off("notification", onNotification);
      await connection.query(`unlisten "${channel}"`);
      await knex.client.releaseConnection(connection);
    },
  };
}
