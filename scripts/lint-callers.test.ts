// The callers lint `make lint` runs: the real contracts pass, and a generated
// module with a method that declares no callers fails it (exit 1, the method
// named) — run as make runs it, in its own process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { servicesIn, undeclaredMethods } from "./lint-callers.js";

const SCRIPT = fileURLToPath(new URL("./lint-callers.ts", import.meta.url));
const ECHO_PB = fileURLToPath(new URL("../gen/itinera/echo/v1/echo_pb.ts", import.meta.url));
const lint = (dir?: string) =>
  spawnSync(process.execPath, ["--import", "tsx", SCRIPT, ...(dir ? [dir] : [])], { encoding: "utf8", timeout: 60_000 });

test("every method of every itinera contract in gen/ declares its callers", async () => {
  const services = await servicesIn(fileURLToPath(new URL("../gen/itinera", import.meta.url)));
  assert.ok(services.length >= 10, `found ${services.length} services`);
  assert.equal(undeclaredMethods(services), []);
  const run = lint();
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /callers declared on all \d+ methods/);
});

test("a method without callers is listed by name and fails the lint with exit 1", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "lint-callers-"));
  try {
    // A generated module whose Echo method lost its options (as if the proto had no callers line).
    writeFileSync(
      path.join(dir, "undeclared_pb.ts"),
      `import { EchoService } from ${JSON.stringify(ECHO_PB)};
export const UndeclaredService = {
  ...EchoService,
  methods: EchoService.methods.map((m) => (m.name === "Echo" ? { ...m, proto: { ...m.proto, options: undefined } } : m)),
};
`,
    );
    const run = lint(dir);
    assert.is(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /1 method\(s\) declare no callers/);
    assert.match(run.stderr, /itinera\.echo\.v1\.EchoService\/Echo\n/);
    assert.not.match(run.stderr, /Increment|Countdown|Slow/, "declared methods are not listed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("undeclaredMethods: only the methods without the option", () => {
  const stripped = { ...EchoService, methods: EchoService.methods.map((m) => (m.name === "Slow" ? { ...m, proto: { ...m.proto, options: undefined } } : m)) };
  assert.equal(undeclaredMethods([EchoService]), []);
  assert.equal(undeclaredMethods([stripped as typeof EchoService]), ["itinera.echo.v1.EchoService/Slow"]);
});

test.run();
