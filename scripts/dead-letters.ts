// `make dead-letters [ARGS="…"]`: an operator's command for the event bus's
// dead letters (endpoints/bus.ts DeadLetters) — list them with their error,
// replay one to its group, or discard one. It reads the configuration the
// services read: BUS (postgres, the default, or nats), DATABASE_URL (unset:
// the embedded PostgreSQL `make start` runs, on PG_PORT or 54329), NATS_URL.
// Run `make dead-letters ARGS=--help` for the usage. Exit codes: 0 done,
// 1 no such dead letter (or the bus cannot be reached), 2 bad arguments.
import { parseArgs } from "node:util";
import knexFactory, { type Knex } from "knex";
import type { DeadLetter, DeadLetters } from "../endpoints/bus.js";
import { checkedFilter, checkRef, DEAD_LETTERS_DEFAULT_LIMIT, DEAD_LETTERS_MAX_LIMIT } from "../endpoints/dead-letters.js";
import { KitError } from "../endpoints/errors.js";
import { pino } from "pino";
import { config, int, optionalUrl } from "../platform/config.js";
import { pgTypes } from "../platform/db.js";
import { EMBEDDED_PORT, embeddedUrl } from "../platform/embedded-postgres.js";
import { postgresDeadLetters } from "../transport/bus/dead-letters.js";
import { openNatsBus } from "../transport/bus/nats/nats-bus.js";
import { busSettings } from "../transport/bus/open.js";

const USAGE = `Usage: make dead-letters [ARGS="<command>"]   (or: node --import tsx scripts/dead-letters.ts <command>)

  list [--group G] [--topic T] [--limit N]   the dead letters, oldest failure first (the default command);
                                             N from 1 to ${DEAD_LETTERS_MAX_LIMIT}, default ${DEAD_LETTERS_DEFAULT_LIMIT}
  replay <group> <message-id>                deliver it again to that group only (same message id, attempts from 1)
  discard <group> <message-id>               forget it: never delivered to that group again

Reads BUS (postgres | nats; default postgres), DATABASE_URL (default: make start's embedded
PostgreSQL on PG_PORT, 54329) and NATS_URL, as the services do.
Exit codes: 0 done, 1 no such dead letter (or the bus cannot be reached), 2 bad arguments.`;

/** Bad arguments: the usage, exit code 2. */
class UsageError extends Error {}

type Command = { name: "list"; filter: ReturnType<typeof checkedFilter> } | { name: "replay" | "discard"; group: string; messageId: bigint };

function parse(argv: string[]): Command | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { group: { type: "string" }, topic: { type: "string" }, limit: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return "help";
  const [name = "list", ...rest] = positionals;
  if (name === "list") {
    if (rest.length > 0) throw new UsageError(`list takes no arguments besides --group, --topic and --limit, got ${JSON.stringify(rest.join(" "))}`);
    const limit = values.limit === undefined ? undefined : /^\d{1,4}$/.test(values.limit) ? Number(values.limit) : NaN;
    return { name, filter: checkedFilter({ group: values.group, topic: values.topic, limit }) };
  }
  if (name === "replay" || name === "discard") {
    if (values.group !== undefined || values.topic !== undefined || values.limit !== undefined) throw new UsageError(`${name} takes no options: ${name} <group> <message-id>`);
    const [group, id, ...more] = rest;
    if (group === undefined || id === undefined || more.length > 0) throw new UsageError(`${name} takes a group and a message id: ${name} <group> <message-id>`);
    if (!/^\d{1,20}$/.test(id)) throw new UsageError(`the message id must be a positive whole number, got ${JSON.stringify(id)}`);
    checkRef(group, BigInt(id));
    return { name, group, messageId: BigInt(id) };
  }
  throw new UsageError(`unknown command ${JSON.stringify(name)}: list, replay or discard`);
}

interface Bus {
  deadLetters: DeadLetters;
  where: string;
  close(): Promise<void>;
}

/** The configured engine's DeadLetters, as the services' configuration names it. */
async function openBus(env: NodeJS.ProcessEnv): Promise<Bus> {
  const cfg = config(env, {
    ...busSettings(),
    databaseUrl: optionalUrl("DATABASE_URL"),
    pgPort: int("PG_PORT", EMBEDDED_PORT, { min: 1, max: 65535 }),
  });
  if (cfg.engine === "nats") {
    // No database: a bus opened without one relays no outbox; only its dead letters are used.
    const bus = await openNatsBus({ servers: cfg.natsServers, log: pino({ level: "warn" }), name: "dead-letters" });
    return { deadLetters: bus.deadLetters, where: `NATS JetStream at ${cfg.natsServers.join(", ")}`, close: () => bus.close() };
  }
  const url = cfg.databaseUrl ?? embeddedUrl(cfg.pgPort);
  const knex: Knex = knexFactory({ client: "pg", connection: { connectionString: url, types: pgTypes, application_name: "dead-letters" }, pool: { min: 0, max: 2 } });
  return { deadLetters: postgresDeadLetters(knex), where: `PostgreSQL at ${withoutPassword(url)}`, close: () => knex.destroy() };
}

function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

const WIDTH = { group: 24, topic: 28, key: 36, error: 100 };

/** One line, no control characters (an error may carry newlines, tabs or terminal escapes), at most `max` characters. */
function cell(text: string, max = Infinity): string {
  const line = (text.split(/\r?\n/, 1)[0] ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function table(letters: readonly DeadLetter[]): string {
  const head = ["group", "topic", "key", "message id", "attempts", "failed at", "error"];
  const rows = letters.map((d) => [
    cell(d.group, WIDTH.group),
    cell(d.topic, WIDTH.topic),
    cell(d.key, WIDTH.key),
    d.messageId.toString(),
    String(d.attempts),
    d.failedAt.toISOString().replace("T", " ").slice(0, 19),
    cell(d.lastError, WIDTH.error),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}

async function run(command: Command, bus: Bus, out: (line: string) => void): Promise<number> {
  if (command.name === "list") {
    const letters = await bus.deadLetters.list(command.filter);
    if (letters.length === 0) {
      out(`no dead letters${command.filter.group ? ` of group ${command.filter.group}` : ""}${command.filter.topic ? ` on ${command.filter.topic}` : ""} (${bus.where})`);
      return 0;
    }
    out(table(letters));
    const more = letters.length === command.filter.limit ? ` — the first ${letters.length}: --limit (up to ${DEAD_LETTERS_MAX_LIMIT}) or --group/--topic for others` : "";
    out(`${letters.length} dead letter${letters.length === 1 ? "" : "s"}, oldest failure first${more}. replay <group> <message-id> or discard <group> <message-id>.`);
    return 0;
  }
  const { group, messageId } = command;
  const done = command.name === "replay" ? await bus.deadLetters.replay(group, messageId) : await bus.deadLetters.discard(group, messageId);
  if (!done) {
    out(`group ${group} has no dead letter with message id ${messageId}: replayed or discarded already, or it never failed; \`make dead-letters\` lists them`);
    return 1;
  }
  out(command.name === "replay" ? `replayed message ${messageId}: delivered again to group ${group}` : `discarded message ${messageId} of group ${group}: it will not be delivered to ${group} again`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let command: Command | "help";
  try {
    command = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof KitError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))) throw e;
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (command === "help") {
    console.log(USAGE);
    return 0;
  }
  let bus: Bus;
  try {
    bus = await openBus(process.env);
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
  try {
    return await run(command, bus, (line) => console.log(line));
  } catch (e) {
    console.error(`dead-letters: ${bus.where} did not answer: ${(e as Error).message}. Is \`make start\` running? DATABASE_URL names another database.`);
    return 1;
  } finally {
    await bus.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
