// The supervisor's start refuses a process it does not have, before it starts anything.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startSystem } from "./system.js";

test("a start naming a process the system does not have is refused, naming the ones it has, before anything starts", async () => {
  const said: string[] = [];
  const start = startSystem({
    env: { DATABASE_URL: "postgres://nobody:nothing@127.0.0.1:9/none" },
    dataDir: "",
    pgPort: 0,
    say: (line) => said.push(line),
    stdio: "ignore",
    only: ["identity", "billing"],
  });
  const error = await start.then(
    async (system): Promise<string> => {
      await system.stop();
      return "a system without billing started";
    },
    (e: unknown) => String(e),
  );
  assert.match(error, /^Error: no process named billing: the system has skylark, casa, .*identity.*, web$/);
  assert.equal(said, [], "nothing was started");
});

test.run();
