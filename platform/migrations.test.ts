// Every migrations directory in the tree (each service's, the bus's) runs up,
// down and up again on a database holding data, in its own schema as main.ts
// runs it: step by step up, one step down and up again from the latest, every
// step down to nothing (each down() must succeed on data and leave nothing of
// the schema's behind), then all the way up as a deploy does. At every level
// the schema's shape (columns, constraints, indexes, functions, extensions)
// must equal the shape first seen at that level, so each down() undoes
// exactly its up(). Rows come from platform/migration-rows.testing.ts.
import { readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import knexFactory, { type Knex } from "knex";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { migratorConfig, pgTypes } from "./db.js";
import { MIGRATION_ROWS } from "./migration-rows.testing.js";
import { testDatabase, type TestDatabase } from "./testing.js";

const ROOT = join(dirname(new URL(import.meta.url).pathname), "..");
const NOT_SOURCES = new Set(["node_modules", "gen", "dist", ".git", ".data", ".test-data"]);

/** Every directory named "migrations" in the sources; its schema is its parent's name (services/booking → booking, transport/bus → bus). */
function migrationDirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_SOURCES.has(e.name))
    .flatMap((e) => (e.name === "migrations" ? [join(dir, e.name)] : migrationDirectories(join(dir, e.name))))
    .sort();
}

const KNEX_OWN = "knex\\_migrations%";
const KNEX_TABLE = /\bknex_migrations/;

/** The schema's shape, one sorted line per column, constraint, index, sequence, function and extension (knex's own tables aside). */
async function shape(knex: Knex, schema: string): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { line: string }[] }>(
    `select format('column %s.%s %s%s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                   case when a.attnotnull then ' not null' else '' end,
                   case when a.attcollation <> 0 then ' collate ' || a.attcollation::regcollation::text else '' end,
                   coalesce(case when a.attgenerated = 's' then ' generated ' else ' default ' end || pg_get_expr(d.adbin, d.adrelid), '')
                  ) as line
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where c.relnamespace = :schema::regnamespace and c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped
     union all
     select format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
       from pg_constraint where connamespace = :schema::regnamespace
     union all
     select 'index ' || pg_get_indexdef(i.indexrelid) || coalesce(' with ' || array_to_string(c.reloptions, ','), '')
       from pg_index i join pg_class c on c.oid = i.indexrelid where c.relnamespace = :schema::regnamespace
     union all
     select format('table %s%s', relname, coalesce(' with ' || array_to_string(reloptions, ','), ''))
       from pg_class where relnamespace = :schema::regnamespace and relkind in ('r', 'p')
     union all
     select 'sequence ' || relname from pg_class where relnamespace = :schema::regnamespace and relkind = 'S'
     union all
     select format('function %s %s', p.oid::regprocedure, md5(pg_get_functiondef(p.oid)))
       from pg_proc p where pronamespace = :schema::regnamespace and prokind in ('f', 'p')
     union all
     select format('extension %s %s', extname, extversion) from pg_extension where extnamespace = :schema::regnamespace`,
    { schema },
  );
  return rows
    .map((r) => r.line)
    .filter((line) => !KNEX_TABLE.test(line))
    .sort();
}

/** Whatever is left in the schema besides knex's own bookkeeping, in any catalog that has a namespace. */
async function leftovers(knex: Knex, schema: string): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { what: string }[] }>(
    `select 'relation ' || relname as what from pg_class where relnamespace = :schema::regnamespace and relname not like :knex
     union all select 'type ' || typname from pg_type
       where typnamespace = :schema::regnamespace and typname not like :knex and typname not like '\\_' || :knex
     union all select 'constraint ' || conname from pg_constraint where connamespace = :schema::regnamespace and conname not like :knex
     union all select 'function ' || proname from pg_proc where pronamespace = :schema::regnamespace
     union all select 'operator ' || oprname from pg_operator where oprnamespace = :schema::regnamespace
     union all select 'operator class ' || opcname from pg_opclass where opcnamespace = :schema::regnamespace
     union all select 'operator family ' || opfname from pg_opfamily where opfnamespace = :schema::regnamespace
     union all select 'text search dictionary ' || dictname from pg_ts_dict where dictnamespace = :schema::regnamespace
     union all select 'text search template ' || tmplname from pg_ts_template where tmplnamespace = :schema::regnamespace
     union all select 'text search configuration ' || cfgname from pg_ts_config where cfgnamespace = :schema::regnamespace
     union all select 'collation ' || collname from pg_collation where collnamespace = :schema::regnamespace
     union all select 'statistics ' || stxname from pg_statistic_ext where stxnamespace = :schema::regnamespace
     union all select 'extension ' || extname from pg_extension where extnamespace = :schema::regnamespace`,
    { schema, knex: KNEX_OWN },
  );
  return rows.map((r) => r.what).sort();
}

/** The schema's tables (knex's own aside) that hold no row. */
async function emptyTables(knex: Knex, schema: string): Promise<string[]> {
  const tables = (await knex("pg_tables")
    .where({ schemaname: schema })
    .andWhereNot("tablename", "like", KNEX_OWN)
    .pluck("tablename")) as string[];
  const empty: string[] = [];
  for (const table of tables.sort()) {
    const any = await knex(`${schema}.${table}`).first(knex.raw("1"));
    if (!any) empty.push(table);
  }
  return empty;
}

let database: TestDatabase;

test.before(async () => {
  database = await testDatabase();
});

test.after(async () => {
  await database?.drop();
});

const directories = migrationDirectories(ROOT);

test("the migration directories are found in the tree (every service's and the bus's), and rows are written for each of them only", () => {
  const schemas = directories.map((d) => basename(dirname(d)));
  for (const expected of ["booking", "bus", "catalog", "identity", "mailer", "payment", "pricing", "sellers", "wallet"]) {
    assert.ok(schemas.includes(expected), `no migrations directory for ${expected} among ${schemas.join(", ")}`);
  }
  assert.is(new Set(schemas).size, schemas.length, `two migration directories share a schema name: ${schemas.join(", ")}`);
  const unused = Object.keys(MIGRATION_ROWS).filter((schema) => !schemas.includes(schema));
  assert.equal(unused, [], "rows for schemas no migrations directory has: remove them from platform/migration-rows.testing.ts");
});

for (const dir of directories) {
  const schema = basename(dirname(dir));
  test(`${relative(ROOT, dir)}: up, one step down and up on data, every step down to nothing, up again`, async () => {
    const writeRows = MIGRATION_ROWS[schema];
    assert.ok(writeRows, `no representative rows for schema "${schema}": add a writer to MIGRATION_ROWS in platform/migration-rows.testing.ts`);
    const knex = knexFactory({
      client: "pg",
      connection: { connectionString: database.url, types: pgTypes },
      searchPath: [schema],
      pool: { min: 0, max: 2 },
    });
    const config = migratorConfig(schema, dir);
    const level = async () => ((await knex.migrate.list(config)) as [unknown[], unknown[]])[0].length;
    const write = async (n: number) => {
      await writeRows(knex, n);
      assert.equal(await emptyTables(knex, schema), [], `tables of ${schema} without a representative row: add one in platform/migration-rows.testing.ts`);
    };
    try {
      await knex.raw("create schema ??", [schema]);

      // Up one step at a time, recording the shape at each level.
      const shapes = [await shape(knex, schema)];
      for (;;) {
        const [, ran] = (await knex.migrate.up(config)) as [number, string[]];
        if (ran.length === 0) break;
        shapes.push(await shape(knex, schema));
      }
      const latest = shapes.length - 1;
      assert.ok(latest > 0, `${dir} holds no migration`);
      assert.is(await level(), latest);
      await write(1);

      // The last step down and up again, on data.
      await knex.migrate.down(config);
      assert.equal(await shape(knex, schema), shapes[latest - 1], `after the last migration's down(), ${schema} is not as it was before its up()`);
      await knex.migrate.up(config);
      assert.equal(await shape(knex, schema), shapes[latest], `the last migration's up() after its down() does not give the latest shape`);
      await write(2);

      // Every step down, on data, to nothing.
      for (let at = latest; at > 0; at--) {
        await knex.migrate.down(config);
        assert.is(await level(), at - 1);
        assert.equal(await shape(knex, schema), shapes[at - 1], `down() of migration ${at} of ${schema} does not undo exactly its up()`);
      }
      assert.equal(await leftovers(knex, schema), [], `${schema}'s migrations, all down, leave these behind`);

      // All the way up, as a deploy runs it, and rows again.
      await knex.migrate.latest(config);
      assert.equal(await shape(knex, schema), shapes[latest]);
      await write(3);
    } finally {
      await knex.destroy();
    }
  });
}

test.run();
