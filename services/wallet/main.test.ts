// The wallet as a real process: `node --import tsx services/wallet/main.ts`
// on a free port and a fresh database, with a real identity server in this
// test process (serveIdentity on its own database) as its IDENTITY_URL. It
// becomes ready, answers `buf curl` (gRPC and Connect, through reflection)
// and plain JSON, accepts a Credit with a service token identity issued
// (IssueServiceToken) and refuses one without a token or with a customer's,
// writes one JSON log line per call without request bodies, finishes the
// call in flight on SIGTERM and exits 0, and refuses a bad WALLET_PORT with
// a message naming it. It binds every address (LISTEN_HOST=0.0.0.0), as in a pod.
import { execFile } from "node:child_process";
import { once } from "node:events";
import * as http from "node:http";
import * as net from "node:net";
import { networkInterfaces } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pino } from "pino";
import { backgroundContext } from "../../endpoints/context.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import type { RunningServer } from "../../transport/server.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "../identity/fixture.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUF = `${ROOT}node_modules/.bin/buf`;
const GET_BALANCE = "/itinera.wallet.v1.WalletService/GetBalance";


function bufCurl(...args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) =>
    execFile(BUF, ["curl", ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`buf curl failed: ${stderr}`, { cause: error })) : resolve(JSON.parse(stdout)),
    ),
  );
}

let db: TestDatabase;
let wallet: TestProcess;
let url: string;
let port: number;
let identity: IdentityFixture;
let identityServer: RunningServer;
/** `authorization` headers: a service's token and a customer's, both issued by the identity server. */
let asService: Record<string, string>;
let asCustomer: Record<string, string>;
let customerId: string;

async function postJson(path: string, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

test.before(async () => {
  identity = await identityFixture();
  identityServer = await serveIdentity(identity);
  const client = clientOf(IdentityService, connectTransport(identityServer.url));
  const ctx = backgroundContext({ log: pino({ level: "silent" }) });
  const service = await client.issueServiceToken(ctx, { serviceName: "operator", secret: testServiceSecret("operator") });
  asService = { authorization: `Bearer ${service.accessToken}` };
  const customer = await identity.signedUp("wallet-owner@example.com", "a long enough password", "Owner");
  asCustomer = { authorization: `Bearer ${customer.tokens.accessToken}` };
  customerId = customer.customerId;

  db = await testDatabase();
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // Every address, as in a pod (LISTEN_HOST; the Kubernetes manifests set it): loopback still answers.
  const env = { WALLET_PORT: String(port), LISTEN_HOST: "0.0.0.0", DATABASE_URL: db.url, IDENTITY_URL: identityServer.url, LOG_LEVEL: "info" };
  wallet = startProcess("services/wallet/main.ts", env);
  await until(
    "200 from /readyz",
    async () => {
      if (wallet.child.exitCode !== null) throw new Error(`the wallet exited with ${wallet.child.exitCode}: ${wallet.stderr()}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
    },
    30_000,
  );
});
test.after(async () => {
  try {
    await wallet?.kill();
  } finally {
    await db?.drop();
    await identityServer?.close(5_000);
    await identity?.close();
  }
});

const credit = {
  idempotencyKey: "demo-credit-1",
  customerId: "demo",
  amount: { amountMinor: "1500", currency: "EUR" },
  reason: "CREDIT_REASON_PROMOTION",
  reference: "secret-ref-123",
};
const balance = { balance: { customerId: "demo", available: { amountMinor: "1500", currency: "EUR" }, held: { currency: "EUR" } } };

test("buf curl over gRPC and over Connect, and a plain JSON POST, read the balance", async () => {
  const credited = await postJson("/itinera.wallet.v1.WalletService/Credit", credit, { "x-request-id": "test-req-1", ...asService });
  assert.is(credited.status, 200, JSON.stringify(credited.body));
  const data = JSON.stringify({ customer_id: "demo", currency: "EUR" });
  const header = ["-H", `authorization: ${asService.authorization}`];
  const grpc = await bufCurl("--http2-prior-knowledge", "--protocol", "grpc", "--reflect", ...header, `${url}${GET_BALANCE}`, "-d", data);
  assert.equal(grpc, balance);
  const connect = await bufCurl("--protocol", "connect", "--reflect", ...header, `${url}${GET_BALANCE}`, "-d", data);
  assert.equal(connect, balance);
  assert.equal(await postJson(GET_BALANCE, { customer_id: "demo", currency: "EUR" }, asService), { status: 200, body: balance });
});

test("LISTEN_HOST=0.0.0.0 binds every address: the wallet says so and answers on this machine's other addresses too", async () => {
  const listening = wallet.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.msg === "server listening");
  assert.equal([listening?.host, listening?.port], ["0.0.0.0", port]);
  const others = Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).filter((a) => a.family === "IPv4" && !a.internal));
  for (const a of others) assert.is((await fetch(`http://${a.address}:${port}/readyz`)).status, 200, a.address);
});

test("a customer reads their own wallet only: another customer's is NOT_FOUND, as an unknown one; no token is Unauthenticated", async () => {
  const own = await postJson(GET_BALANCE, { customer_id: customerId, currency: "EUR" }, asCustomer);
  assert.is(own.status, 200, JSON.stringify(own.body));
  for (const other of ["demo", "nobody-at-all"]) {
    const res = await postJson(GET_BALANCE, { customer_id: other, currency: "EUR" }, asCustomer);
    assert.equal(res, { status: 404, body: { code: "not_found", message: `customer ${other} has no wallet` } });
    const history = await postJson("/itinera.wallet.v1.WalletService/ListTransactions", { customer_id: other }, asCustomer);
    assert.is(history.status, 404, "nor its history");
  }
  assert.is((await postJson(GET_BALANCE, { customer_id: "demo", currency: "EUR" })).status, 401);
});

test("log lines are JSON; each call's line has its ids, procedure, code and duration, and no request body", async () => {
  const entries = () => wallet.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const calls = await until(
    "log line of each call",
    () => {
      const rpcs = entries().filter((e) => typeof e.procedure === "string" && e.procedure.startsWith("/itinera.wallet.v1."));
      return rpcs.length >= 4 ? rpcs : undefined; // the credit and three balances (at least)
    },
    10_000,
  );
  for (const entry of calls) {
    for (const key of ["request_id", "trace_id", "procedure", "code", "duration_ms"]) assert.ok(key in entry, `${key} in ${JSON.stringify(entry)}`);
  }
  const credited = calls.filter((e) => e.request_id === "test-req-1");
  assert.equal(credited.map((e) => [e.procedure, e.code]), [["/itinera.wallet.v1.WalletService/Credit", "OK"]]);
  assert.is.not(calls.find((e) => e.procedure === GET_BALANCE)?.request_id, "test-req-1", "other calls get their own ids");
  assert.not.ok(wallet.lines.some((line) => line.includes("secret-ref-123")), "a request field never reaches the logs");
});

test("Credit without a token is Unauthenticated (401), with a customer's token PermissionDenied (403); nothing moves", async () => {
  const again = { ...credit, idempotencyKey: "demo-credit-2" };
  const anonymous = await postJson("/itinera.wallet.v1.WalletService/Credit", again);
  assert.equal(anonymous.status, 401);
  assert.equal((anonymous.body as { code: string }).code, "unauthenticated");
  const customer = await postJson("/itinera.wallet.v1.WalletService/Credit", again, asCustomer);
  assert.equal(customer, {
    status: 403,
    body: { code: "permission_denied", message: "Credit may be called by the services booking, operator, not by a customer" },
  });
  const forged = await postJson("/itinera.wallet.v1.WalletService/Credit", again, { authorization: `${asService.authorization}x` });
  assert.is(forged.status, 401);
  assert.equal(await postJson(GET_BALANCE, { customer_id: "demo", currency: "EUR" }, asService), { status: 200, body: balance }, "still 1500");
});

test("SIGTERM: the call in flight finishes, the process logs shutting down then stopped, exits 0 and frees the port", async () => {
  // The request is sent in two parts: the server answers `100 Continue` to its
  // headers, so the call has certainly started before the signal is sent.
  const body = JSON.stringify({ customerId: "demo", currency: "EUR" });
  const req = http.request(`${url}${GET_BALANCE}`, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), expect: "100-continue", ...asService },
  });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => req.once("response", resolve).once("error", reject));
  response.catch(() => {}); // awaited below; a failure before then is not unhandled
  req.flushHeaders();
  await Promise.race([once(req, "continue"), response]);

  const exitedInTime = Promise.race([wallet.exited, sleep(15_000, "still running after 15 s", { ref: false })]);
  wallet.child.kill("SIGTERM");
  await until("'shutting down' in the log", () => (wallet.lines.some((l) => l.includes('"shutting down"')) ? true : undefined), 15_000);
  req.end(body);
  const messages = () => wallet.lines.map((l) => (JSON.parse(l) as { msg?: string }).msg);
  const res = await response.catch(async (e: Error) => {
    throw new Error(`the call in flight failed (${e.message}); exit code ${await exitedInTime}; log: ${messages().join(" | ")}`);
  });
  let answer = "";
  for await (const chunk of res) answer += String(chunk);
  assert.is(res.statusCode, 200, answer);
  assert.equal(JSON.parse(answer), balance);

  assert.is(await exitedInTime, 0, wallet.stderr());
  const [shuttingDown, stopped] = [messages().indexOf("shutting down"), messages().indexOf("stopped")];
  assert.ok(shuttingDown >= 0 && stopped > shuttingDown, `"shutting down" then "stopped" in ${messages().join(" | ")}`);

  const refused = await new Promise<string>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  assert.is(refused, "ECONNREFUSED");
});

test("a bad WALLET_PORT: exits non-zero at once and says which variable is wrong", async () => {
  const bad = startProcess("services/wallet/main.ts", { WALLET_PORT: "abc", DATABASE_URL: db.url, LOG_LEVEL: "info" });
  try {
    const code = await Promise.race([bad.exited, sleep(30_000, "still running after 30 s", { ref: false })]);
    assert.ok(typeof code === "number" && code !== 0, `exit code ${String(code)}`);
    assert.match(bad.stderr(), "WALLET_PORT");
  } finally {
    await bad?.kill();
  }
});

test.run();
