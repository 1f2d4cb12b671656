import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "uvu";
import * as assert from "uvu/assert";

const ROOT = new URL("..", import.meta.url).pathname;

test("main.ts starts the named seller from the environment, serves it, and stops cleanly on SIGTERM", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "sandbox/main.ts", "casa"], {
    cwd: ROOT,
    env: { ...process.env, CASA_PORT: "0", SANDBOX_TODAY: "2026-03-20", SANDBOX_CITIES: "2", SANDBOX_HOTELS_PER_CITY: "3", SANDBOX_SEED: "4" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /"url":"(http:\/\/[^"]+)","msg":"sandbox seller listening"/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    assert.match(out, /"today":"2026-03-20"/);
    assert.match(out, /"hotels":6/);
    const res = await fetch(`${url}/xml/hotels`);
    assert.is(res.status, 200);
    assert.match(await res.text(), /<hotels page="1" pages="1"><hotel code="P000001">/);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    assert.is(code, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("main.ts refuses an unknown seller with a usage line", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "sandbox/main.ts", "nobody"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const [code] = await once(child, "exit");
  assert.is(code, 2);
  assert.match(err, /usage: .*skylark\|casa\|wanderly\|all/);
});

test.run();
