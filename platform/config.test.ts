import { test } from "uvu";
import * as assert from "uvu/assert";
import { bool, config, ConfigError, int, ipAddress, list, oneOf, optionalStr, optionalUrl, peerUrls, port, secret, secretMap, serverList, str, url, urlList } from "./config.js";

const spec = {
  port: port("WALLET_PORT", 7004),
  databaseUrl: optionalUrl("DATABASE_URL"),
  logLevel: oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"], "info"),
};

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

test("defaults apply when variables are unset or empty", () => {
  const c = config({ LOG_LEVEL: "" }, spec);
  assert.equal(c, { port: 7004, databaseUrl: undefined, logLevel: "info" });
});

test("values are parsed and typed", () => {
  const c = config({ WALLET_PORT: "8001", DATABASE_URL: "postgres://u:p@db:5432/x", LOG_LEVEL: "debug" }, spec);
  assert.equal(c, { port: 8001, databaseUrl: "postgres://u:p@db:5432/x", logLevel: "debug" });
});

test("every bad variable is named at once, with the value it had", () => {
  const problems = problemsOf(() => config({ WALLET_PORT: "abc", DATABASE_URL: "not a url", LOG_LEVEL: "loud" }, spec));
  assert.equal(problems, [
    'WALLET_PORT must be an integer from 1 to 65535, got "abc"',
    'DATABASE_URL must be an absolute URL, got "not a url"',
    'LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
  ]);
  assert.throws(() => config({ WALLET_PORT: "70000" }, spec), /WALLET_PORT must be an integer from 1 to 65535, got "70000"/);
});

test("integers reject fractions, out-of-range and unsafe values", () => {
  assert.equal(problemsOf(() => config({ N: "1.5" }, { n: int("N", 1) })), ['N must be an integer, got "1.5"']);
  assert.equal(problemsOf(() => config({ N: "0" }, { n: int("N", 1, { min: 1 }) })), ['N must be an integer of at least 1, got "0"']);
  assert.equal(problemsOf(() => config({ N: "99999999999999999999" }, { n: int("N") })).length, 1);
  assert.equal(config({ N: "-3" }, { n: int("N") }).n, -3);
});

test("required settings without a default fail when unset", () => {
  assert.equal(problemsOf(() => config({}, { secret: str("SECRET"), peer: url("PEER_URL"), n: int("N") })), [
    "SECRET is required",
    "PEER_URL is required",
    "N is required",
  ]);
});

test("booleans, lists and optional strings", () => {
  const c = config(
    { DEBUG: "Yes", PEERS: "a:1, b:2", NAME: "x" },
    { debug: bool("DEBUG", false), peers: list("PEERS"), name: optionalStr("NAME"), other: optionalStr("OTHER"), v: bool("V", true) },
  );
  assert.equal(c, { debug: true, peers: ["a:1", "b:2"], name: "x", other: undefined, v: true });
  assert.equal(problemsOf(() => config({ DEBUG: "maybe", PEERS: "a,,b" }, { debug: bool("DEBUG"), peers: list("PEERS") })), [
    'DEBUG must be true or false (1/0, yes/no, on/off), got "maybe"',
    'PEERS must be a comma-separated list without empty items, got "a,,b"',
  ]);
});

test("IP addresses: v4 or v6 literals, not host names", () => {
  const spec = { host: ipAddress("LISTEN_HOST", "127.0.0.1") };
  assert.equal(config({}, spec).host, "127.0.0.1");
  assert.equal(config({ LISTEN_HOST: "0.0.0.0" }, spec).host, "0.0.0.0");
  assert.equal(config({ LISTEN_HOST: "::" }, spec).host, "::");
  assert.equal(problemsOf(() => config({ LISTEN_HOST: "localhost" }, spec)), ['LISTEN_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::), got "localhost"']);
});

test("URL lists: each item an absolute URL", () => {
  const spec = { origins: urlList("ORIGINS", ["http://127.0.0.1:8080"]) };
  assert.equal(config({}, spec).origins, ["http://127.0.0.1:8080"]);
  assert.equal(config({ ORIGINS: "https://a.example, http://localhost:8080" }, spec).origins, ["https://a.example", "http://localhost:8080"]);
  assert.equal(problemsOf(() => config({ ORIGINS: "https://a.example,not a url" }, spec)), [
    'ORIGINS must be a comma-separated list of absolute URLs, got "https://a.example,not a url"',
  ]);
});

test("a dependency's URL: one base URL or the replicas' list; a bad entry is named with its variable", () => {
  const spec = { catalog: peerUrls("CATALOG_URL", "http://127.0.0.1:7002") };
  assert.equal(config({}, spec).catalog, "http://127.0.0.1:7002");
  assert.equal(config({ CATALOG_URL: " http://127.0.0.1:7002 , http://127.0.0.1:7012,http://catalog-headless:7002" }, spec).catalog, "http://127.0.0.1:7002,http://127.0.0.1:7012,http://catalog-headless:7002");
  const problem = (text: string) => problemsOf(() => config({ CATALOG_URL: text }, spec))[0];
  const rule = "CATALOG_URL must be one base URL or a comma-separated list of them; it";
  assert.equal(problem("http://a:1,127.0.0.1:7012"), `${rule} has an entry that is not an http:// or https:// base URL: "127.0.0.1:7012", got "http://a:1,127.0.0.1:7012"`);
  assert.equal(problem("http://a:1,"), `${rule} has an empty entry (a comma too many?), got "http://a:1,"`);
  assert.equal(problem("http://a:1,ftp://b:2"), `${rule} has an entry that is not an http:// or https:// base URL: "ftp://b:2", got "http://a:1,ftp://b:2"`);
  assert.equal(problem("http://u:p@a:1"), `${rule} has an entry with credentials (a dependency's URL carries none): "http://u:p@a:1", got "http://u:p@a:1"`);
  assert.equal(problem("http://a:1?x=1"), `${rule} has an entry with a query or fragment (a base URL ends at its path): "http://a:1?x=1", got "http://a:1?x=1"`);
  assert.equal(problem("http://a:1,http://a:1"), `${rule} names "http://a:1" twice, got "http://a:1,http://a:1"`);
});

test("server lists: host:port or a URL of an allowed scheme, nothing else", () => {
  const spec = { servers: serverList("NATS_URL", ["nats", "tls"], ["nats://127.0.0.1:4222"]) };
  assert.equal(config({}, spec).servers, ["nats://127.0.0.1:4222"]);
  assert.equal(config({ NATS_URL: "nats://a:4222, tls://b.example:4223,c:4224" }, spec).servers, ["nats://a:4222", "tls://b.example:4223", "c:4224"]);
  for (const bad of ["http://a:4222", "nats://a:4222,", "nats://a:4222/path", "a b", "nats://:4222"]) {
    assert.equal(problemsOf(() => config({ NATS_URL: bad }, spec)), [
      `NATS_URL must be a comma-separated list of servers, each host:port or nats://host:port or tls://host:port, got ${JSON.stringify(bad)}`,
    ]);
  }
});

test("config reads only the env object it is given", () => {
  process.env.WALLET_PORT = "1234";
  try {
    assert.is(config({}, spec).port, 7004);
  } finally {
    delete process.env.WALLET_PORT;
  }
});

test("a secret falls back to its development default outside production only", () => {
  const spec = { key: secret("QUOTE_SECRET", "dev-quote-secret") };
  assert.is(config({}, spec).key, "dev-quote-secret");
  assert.is(config({ ITINERA_ENV: "development" }, spec).key, "dev-quote-secret");
  assert.is(config({ ITINERA_ENV: "production", QUOTE_SECRET: "s3cr3t-of-our-own" }, spec).key, "s3cr3t-of-our-own");
  assert.equal(problemsOf(() => config({ ITINERA_ENV: "production" }, spec)), ["QUOTE_SECRET is required when ITINERA_ENV=production"]);
  const [problem] = problemsOf(() => config({ ITINERA_ENV: "production", QUOTE_SECRET: "dev-quote-secret" }, spec));
  assert.match(problem!, /^QUOTE_SECRET is the development default/);
  assert.not.match(problem!, /dev-quote-secret/, "the message never prints the secret");
});

test("named secrets: development defaults outside production; in production, set and none left at its default", () => {
  const spec = { keys: secretMap("SELLERS_WEBHOOK_KEYS", { wanderly: "dev-wanderly", casa: "dev-casa" }) };
  assert.equal([...config({}, spec).keys], [["wanderly", "dev-wanderly"], ["casa", "dev-casa"]]);
  assert.equal([...config({ SELLERS_WEBHOOK_KEYS: "wanderly:k1:with-colon, casa:k2" }, spec).keys], [["wanderly", "k1:with-colon"], ["casa", "k2"]]);
  const prod = { ITINERA_ENV: "production" };
  assert.equal([...config({ ...prod, SELLERS_WEBHOOK_KEYS: "wanderly:own-key" }, spec).keys], [["wanderly", "own-key"]]);
  assert.equal(problemsOf(() => config(prod, spec)), ["SELLERS_WEBHOOK_KEYS is required when ITINERA_ENV=production"]);
  const [kept] = problemsOf(() => config({ ...prod, SELLERS_WEBHOOK_KEYS: "wanderly:own-key,casa:dev-casa" }, spec));
  assert.is(kept, "SELLERS_WEBHOOK_KEYS keeps the development default for casa; set secrets of your own (ITINERA_ENV=production)");
  for (const text of ["wanderly", ":k", "wanderly:", "wanderly:a,,casa:b"]) {
    const [problem] = problemsOf(() => config({ SELLERS_WEBHOOK_KEYS: text }, spec));
    assert.match(problem!, /^SELLERS_WEBHOOK_KEYS must be a comma-separated list of name:secret/, text);
  }
  assert.equal(problemsOf(() => config({ SELLERS_WEBHOOK_KEYS: "a:1,a:2" }, spec)), ["SELLERS_WEBHOOK_KEYS names a twice"]);
});

test.run();
