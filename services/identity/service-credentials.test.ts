// SERVICE_CREDENTIALS: hashes of each service's own secret; a secret maps to
// the one service it belongs to; production refuses the development
// credentials and anything that is not a SHA-256.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { config, ConfigError } from "../../platform/config.js";
import { credentialDigest, credentialsOf, DEVELOPMENT_SERVICE_NAMES, serviceCredentialsSetting, serviceOf } from "./service-credentials.js";
import { developmentServiceSecret } from "./service-tokens.js";

const spec = { credentials: serviceCredentialsSetting() };
const problems = (env: Record<string, string>) => {
  try {
    config(env, spec);
  } catch (e) {
    return (e as ConfigError).problems;
  }
  return [];
};

test("outside production every service has a distinct development credential, and a secret names its own service", () => {
  const { credentials } = config({}, spec);
  assert.equal([...credentials.keys()], DEVELOPMENT_SERVICE_NAMES);
  assert.is(new Set(credentials.values()).size, DEVELOPMENT_SERVICE_NAMES.length, "no two services share a credential");
  for (const name of DEVELOPMENT_SERVICE_NAMES) assert.is(serviceOf(credentials, developmentServiceSecret(name)), name);
  assert.is(serviceOf(credentials, "itinera-development-service-secret"), undefined, "the old shared secret is nobody's");
  assert.is(serviceOf(credentials, ""), undefined);
});

test("production takes hashes of secrets of its own and refuses the development ones, naming the variable", () => {
  const own = credentialsOf(["booking", "mailer"], (n) => `a-long-random-secret-of-${n}`);
  const text = [...own].map(([n, d]) => `${n}:${d}`).join(",");
  const { credentials } = config({ ITINERA_ENV: "production", SERVICE_CREDENTIALS: text }, spec);
  assert.is(serviceOf(credentials, "a-long-random-secret-of-mailer"), "mailer");
  assert.equal(problems({ ITINERA_ENV: "production" }), ["SERVICE_CREDENTIALS is required when ITINERA_ENV=production"]);
  const dev = `booking:${credentialDigest(developmentServiceSecret("booking"))}`;
  assert.match(problems({ ITINERA_ENV: "production", SERVICE_CREDENTIALS: `${text.replace(/booking:[0-9a-f]+/, dev)}` })[0]!, /^SERVICE_CREDENTIALS keeps the development default for booking/);
});

test("a credential that is not a hex SHA-256 is refused, naming the service and not the value", () => {
  const [problem] = problems({ SERVICE_CREDENTIALS: "booking:plain-secret-by-mistake" });
  assert.is(problem, "SERVICE_CREDENTIALS must give each service the lower-case hex SHA-256 of its secret; not one for booking");
});

test("two services sharing one secret are refused: each needs its own", () => {
  const digest = credentialDigest("one-secret-for-two");
  assert.equal(problems({ SERVICE_CREDENTIALS: `booking:${digest},mailer:${digest},web:${credentialDigest("own")}` }), [
    "SERVICE_CREDENTIALS gives booking, mailer the same secret; each service needs its own",
  ]);
});

test.run();
