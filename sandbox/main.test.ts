import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePort, until } from "../platform/processes.testing.js";
import { signBody } from "./signature.js";

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

function sandbox(name: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "sandbox/main.ts", name], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return child;
}

test("main.ts starts the gateway and the SMTP sink on their ports; both answer /admin/stats (what the supervisor waits on)", async () => {
  const [gatewayPort, smtpPort, viewPort] = [await freePort(), await freePort(), await freePort()];
  const gateway = sandbox("gateway", { GATEWAY_PORT: String(gatewayPort), GATEWAY_PUBLIC_URL: "http://pay.test/" });
  const smtp = sandbox("smtp", { SMTP_PORT: String(smtpPort), SMTP_VIEW_PORT: String(viewPort) });
  try {
    const stats = (port: number) => fetch(`http://127.0.0.1:${port}/admin/stats`).then((r) => (r.ok ? r.json() : undefined), () => undefined);
    assert.equal(await until("gateway stats", () => stats(gatewayPort)), { sessions: 0, charges: 0, declines: 0, refunds: 0, callbacks_sent: 0, callback_failures: 0 });
    assert.equal(await until("smtp viewer stats", () => stats(viewPort)), { messages: 0 });
    const body = JSON.stringify({ merchant_ref: "p1", amount_minor: 100, currency: "EUR", callback_url: "http://127.0.0.1:9/cb", return_url: "http://127.0.0.1:9/r" });
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/api/sessions`, {
      method: "POST",
      headers: { "x-gateway-signature": signBody("itinera-development-gateway-secret", body) },
      body,
    });
    assert.is(res.status, 201, "the default secret");
    assert.match(((await res.json()) as { card_page_url: string }).card_page_url, /^http:\/\/pay\.test\/pay\/gs_/);
    const banner = await new Promise<string>((resolve, reject) => {
      const socket = connect(smtpPort, "127.0.0.1");
      socket.once("data", (d) => {
        resolve(d.toString());
        socket.destroy();
      });
      socket.once("error", reject);
    });
    assert.match(banner, /^220 /);
    for (const child of [gateway, smtp]) {
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      assert.is(code, 0);
    }
  } finally {
    for (const child of [gateway, smtp]) if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("main.ts refuses an unknown seller with a usage line", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "sandbox/main.ts", "nobody"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const [code] = await once(child, "exit");
  assert.is(code, 2);
  assert.match(err, /usage: .*skylark\|casa\|wanderly\|gateway\|smtp\|all/);
});

test.run();
