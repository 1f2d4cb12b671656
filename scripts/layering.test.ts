// The layers' forbidden imports (scripts/layering.ts): none in the tree, and
// each kind seen to fail on a scratch tree that makes it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { layeringProblems } from "./layering.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

test("endpoints/ imports no database library nor transport; platform/ imports nothing from the layers above", () => {
  assert.equal(layeringProblems(ROOT), []);
});

test("each forbidden import is reported, named; platform's tests may use the layers above", async () => {
  const root = await mkdtemp(join(tmpdir(), "layering-"));
  try {
    const files: Record<string, string> = {
      "endpoints/bus.ts": `import type { Knex } from "knex";\nimport pg from "pg";\nimport { x } from "./context.js";\n`,
      "endpoints/middleware/store.ts": `import { openDatabase } from "../../platform/db.js";\nexport { serve } from "../../transport/serve.js";\n`,
      "platform/inbox.ts": `import type { DeliveryMeta } from "../endpoints/bus.js";\nimport type { Knex } from "knex";\n`,
      "platform/inbox.test.ts": `import { capture } from "../endpoints/testing.js";\n`,
    };
    for (const [path, code] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), code);
    }
    assert.equal(layeringProblems(root, { "platform/quotes.ts → endpoints/rules.ts": "a known one" }), [
      "endpoints/bus.ts → knex: the endpoint layer uses no database library; take an interface (e.g. Outbox) that the store implements",
      "endpoints/bus.ts → pg: the endpoint layer uses no database library; take an interface (e.g. Outbox) that the store implements",
      "endpoints/middleware/store.ts → platform/db.ts: the endpoint layer imports neither transport nor the database",
      "endpoints/middleware/store.ts → transport/serve.ts: the endpoint layer imports neither transport nor the database",
      "platform/inbox.ts → endpoints/bus.ts: platform/ is the bottom layer and imports nothing from endpoints/ or transport/; declare the type it needs here",
      "platform/quotes.ts → endpoints/rules.ts: no longer imported — delete it from KNOWN in scripts/layering.ts",
    ]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test.run();
