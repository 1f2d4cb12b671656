import { test } from "uvu";
import * as assert from "uvu/assert";
import { startProcess, until } from "./processes.testing.js";
import { nextRestart } from "./supervised.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("a supervised process stops itself (SIGTERM, gracefully) when its supervisor is killed with SIGKILL", async () => {
  const parent = startProcess("platform/supervised.fixture.ts", {}, ["parent"]);
  try {
    const pid = await until("the child's pid", () => {
      const line = parent.lines.find((l) => l.startsWith("child "))?.split(" ")[1];
      return line && parent.lines.includes("child ready") ? Number(line) : undefined;
    });
    assert.ok(alive(pid));
    parent.child.kill("SIGKILL");
    await until("the orphan to stop", () => (alive(pid) ? undefined : true));
  } finally {
    await parent.kill();
  }
});

test("restarts back off while a process keeps dying soon after its start, and start afresh after a stable minute", () => {
  const delays: number[] = [];
  let restarts = 0;
  for (let i = 0; i < 7; i++) {
    const next = nextRestart(restarts, 2_000);
    delays.push(next.delayMs);
    restarts = next.restarts;
  }
  assert.equal(delays, [500, 1000, 2000, 5000, 10000, 10000, 10000]);
  assert.equal(nextRestart(restarts, 61_000), { delayMs: 500, restarts: 1 });
});

test.run();
