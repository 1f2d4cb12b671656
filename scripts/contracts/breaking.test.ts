// `make breaking` and `make release-contracts` as make runs them (their own
// processes, the real buf and git), each on a scratch git repository in a temp
// directory: a released commit recorded in contracts/released, then changes
// arriving however they do — another commit on top, a detached HEAD, a shallow
// clone — and method options that buf does not judge.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clearAcknowledgements, WHY_PLACEHOLDER } from "./acknowledgements.js";
import { readReleased, writeReleased } from "./baseline.js";

const TSX = import.meta.resolve("tsx");
const BREAKING = fileURLToPath(new URL("./breaking.ts", import.meta.url));
const RELEASE = fileURLToPath(new URL("./release.ts", import.meta.url));
const OPTIONS_PROTO = fileURLToPath(new URL("../../proto/itinera/options/v1/options.proto", import.meta.url));
const DEMO = "proto/itinera/demo/v1/demo.proto";

// git that ignores whoever runs the tests: no global or system config, a fixed identity.
const ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "test",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "test",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
};

const DEMO_PROTO = `syntax = "proto3";

package itinera.demo.v1;

import "itinera/options/v1/options.proto";

service DemoService {
  rpc Get(GetRequest) returns (GetResponse) {
    option (itinera.options.v1.callers) = {
      customer: true
      services: ["web"]
    };
    option idempotency_level = NO_SIDE_EFFECTS;
    option (itinera.options.v1.timeout_ms) = 200;
  }
  rpc Put(PutRequest) returns (PutResponse) {
    option (itinera.options.v1.callers) = {services: ["sellers"]};
    option (itinera.options.v1.max_request_bytes) = 4194304;
  }
}

message GetRequest {
  string id = 1;
  string note = 2;
}
message GetResponse {}
message PutRequest {}
message PutResponse {}

message DemoEvent {
  option (itinera.options.v1.topic) = "demo.events";
  string id = 1;
}
`;

const NOTE_FIELD = "  string note = 2;\n";
const REMOVED_NOTE = {
  rule: "FIELD_NO_DELETE",
  path: DEMO,
  message: 'Previously present field "2" with name "note" on message "GetRequest" was deleted.',
};

const dirs: string[] = [];
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(cwd: string, command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd, env: ENV, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function git(cwd: string, ...args: string[]): string {
  const r = run(cwd, "git", args);
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.out}`);
  return r.out.trim();
}

const breaking = (cwd: string) => run(cwd, process.execPath, ["--import", TSX, BREAKING]);
const release = (cwd: string) => run(cwd, process.execPath, ["--import", TSX, RELEASE]);

/** Replaces `from` (which must be there) in a file of the repository. */
function edit(repo: string, file: string, from: string, to: string): void {
  const text = readFileSync(path.join(repo, file), "utf8");
  assert.ok(text.includes(from), `${file} should contain ${JSON.stringify(from)}`);
  writeFileSync(path.join(repo, file), text.replace(from, to));
}

function commitAll(repo: string, message: string): string {
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", message);
  return git(repo, "rev-parse", "HEAD");
}

function acknowledge(repo: string, entries: object[]): void {
  writeFileSync(path.join(repo, "contracts/acknowledged-changes.json"), JSON.stringify({ acknowledged: entries }, null, 2));
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "breaking-"));
  dirs.push(dir);
  return dir;
}

/** A repository with one released commit of the demo contracts, recorded as the release. */
function scratch(): { repo: string; released: string } {
  const repo = tempDir();
  git(repo, "init", "-q", "-b", "main");
  writeFileSync(path.join(repo, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\nbreaking:\n  use:\n    - FILE\n");
  mkdirSync(path.join(repo, "proto/itinera/options/v1"), { recursive: true });
  mkdirSync(path.join(repo, "proto/itinera/demo/v1"), { recursive: true });
  copyFileSync(OPTIONS_PROTO, path.join(repo, "proto/itinera/options/v1/options.proto"));
  writeFileSync(path.join(repo, DEMO), DEMO_PROTO);
  const released = commitAll(repo, "the released contracts");
  mkdirSync(path.join(repo, "contracts"));
  writeReleased(repo, released);
  clearAcknowledgements(repo);
  commitAll(repo, "record the release");
  return { repo, released };
}

/** The scratch repository with the note field removed in one commit and an unrelated commit on top. */
function brokenThenCommittedOnTop(): { repo: string; broken: string } {
  const { repo } = scratch();
  edit(repo, DEMO, NOTE_FIELD, "");
  const broken = commitAll(repo, "remove the note field");
  writeFileSync(path.join(repo, "NOTES.md"), "an unrelated change\n");
  commitAll(repo, "an unrelated commit on top");
  return { repo, broken };
}

test("a tree with the released contracts is green", () => {
  const { repo } = scratch();
  const r = breaking(repo);
  assert.is(r.status, 0, r.out);
  assert.match(r.out, "no change to the released contracts beyond the 0 acknowledged");
});

test("a breaking change with another commit on top is red, and names the entry that would acknowledge it", () => {
  const { repo } = brokenThenCommittedOnTop();
  const r = breaking(repo);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, `${DEMO}:`);
  assert.match(r.out, JSON.stringify({ ...REMOVED_NOTE, why: WHY_PLACEHOLDER }));
  assert.match(r.out, "1 unacknowledged change(s), 0 stale");
});

test("a detached HEAD at the breaking commit is red", () => {
  const { repo, broken } = brokenThenCommittedOnTop();
  git(repo, "checkout", "-q", "--detach", broken);
  const r = breaking(repo);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, "FIELD_NO_DELETE");
});

test("a shallow clone fetches the released commit it lacks and is red on the breaking change", () => {
  const { repo } = brokenThenCommittedOnTop();
  const clone = path.join(tempDir(), "clone");
  git(repo, "clone", "-q", "--depth=1", `file://${repo}`, clone);
  assert.is(git(clone, "rev-list", "--count", "HEAD"), "1");
  const r = breaking(clone);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, "fetched the released commit");
  assert.match(r.out, "FIELD_NO_DELETE");
});

test("a clone that cannot fetch the released commit fails loudly instead of passing", () => {
  const { repo, released } = scratch();
  const clone = path.join(tempDir(), "clone");
  git(repo, "clone", "-q", "--depth=1", `file://${repo}`, clone);
  git(clone, "remote", "set-url", "origin", `file://${repo}/nothing-here`);
  const r = breaking(clone);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, `the released commit ${released} (contracts/released) is not in this clone (a shallow clone)`);
  assert.match(r.out, "Nothing was compared, so this is a failure, not a pass");
  assert.not.match(r.out, "no change to the released contracts");
});

test("a contracts/released that is missing or holds no full commit id fails with what to do", () => {
  const { repo } = scratch();
  writeFileSync(path.join(repo, "contracts/released"), "# short ids are ambiguous\n9acb5d3\n");
  const short = breaking(repo);
  assert.is(short.status, 1, short.out);
  assert.match(short.out, 'contracts/released must hold exactly one full commit id (40 hex digits) besides # comments; found ["9acb5d3"]');
  rmSync(path.join(repo, "contracts/released"));
  const missing = breaking(repo);
  assert.is(missing.status, 1, missing.out);
  assert.match(missing.out, "contracts/released is missing");
});

test("a new caller is red until acknowledged, green once it is, and its entry is stale when the change is undone", () => {
  const { repo } = scratch();
  edit(repo, DEMO, 'services: ["web"]', 'services: ["web", "sellers"]');
  commitAll(repo, "sellers may call Get");
  const red = breaking(repo);
  assert.is(red.status, 1, red.out);
  assert.match(red.out, 'itinera.demo.v1.DemoService/Get itinera.options.v1.callers: {"customer":true,"services":["web"]} → {"customer":true,"services":["sellers","web"]}');
  assert.match(red.out, "1 unacknowledged change(s)");

  // Written by hand: key and list order are the author's, the match is on the values.
  const entry = {
    method: "itinera.demo.v1.DemoService/Get",
    option: "itinera.options.v1.callers",
    from: { services: ["web"], customer: true },
    to: { services: ["web", "sellers"], customer: true },
    why: "sellers reads a booking's request to confirm it; no existing caller loses access",
  };
  acknowledge(repo, [entry]);
  commitAll(repo, "acknowledge: sellers may call Get");
  const green = breaking(repo);
  assert.is(green.status, 0, green.out);
  assert.match(green.out, `acknowledged: itinera.demo.v1.DemoService/Get itinera.options.v1.callers`);
  assert.match(green.out, "beyond the 1 acknowledged");

  edit(repo, DEMO, 'services: ["web", "sellers"]', 'services: ["web"]');
  commitAll(repo, "sellers may not call Get after all");
  const stale = breaking(repo);
  assert.is(stale.status, 1, stale.out);
  assert.match(stale.out, "1 acknowledgement(s) in contracts/acknowledged-changes.json match no change");
  assert.match(stale.out, "0 unacknowledged change(s), 1 stale");
});

test("a changed timeout, request limit and idempotency level are each reported", () => {
  const { repo } = scratch();
  edit(repo, DEMO, "timeout_ms) = 200", "timeout_ms) = 5000");
  edit(repo, DEMO, "max_request_bytes) = 4194304", "max_request_bytes) = 1024");
  edit(repo, DEMO, "    option idempotency_level = NO_SIDE_EFFECTS;\n", "");
  commitAll(repo, "options change");
  const r = breaking(repo);
  assert.is(r.status, 1, r.out);
  assert.match(r.out, "itinera.demo.v1.DemoService/Get itinera.options.v1.timeout_ms: 200 → 5000");
  assert.match(r.out, "itinera.demo.v1.DemoService/Put itinera.options.v1.max_request_bytes: 4194304 → 1024");
  assert.match(r.out, 'itinera.demo.v1.DemoService/Get idempotency_level: "NO_SIDE_EFFECTS" → null');
  assert.match(r.out, "3 unacknowledged change(s)");
});

test("a renamed event topic is red, acknowledged as a message option", () => {
  const { repo } = scratch();
  edit(repo, DEMO, 'topic) = "demo.events"', 'topic) = "demo.happenings"');
  commitAll(repo, "topic renamed");
  const red = breaking(repo);
  assert.is(red.status, 1, red.out);
  assert.match(red.out, 'message itinera.demo.v1.DemoEvent itinera.options.v1.topic: "demo.events" → "demo.happenings"');
  acknowledge(repo, [
    { type: "itinera.demo.v1.DemoEvent", option: "itinera.options.v1.topic", from: "demo.events", to: "demo.happenings", why: "no consumer yet: the demo's events were never published" },
  ]);
  const green = breaking(repo);
  assert.is(green.status, 0, green.out);
});

test("a new method is listed with its callers for information and does not fail", () => {
  const { repo } = scratch();
  edit(
    repo,
    DEMO,
    "service DemoService {\n",
    'service DemoService {\n  rpc Peek(GetRequest) returns (GetResponse) {\n    option (itinera.options.v1.callers) = {anyone: true};\n  }\n',
  );
  commitAll(repo, "a new method");
  const r = breaking(repo);
  assert.is(r.status, 0, r.out);
  assert.match(r.out, 'new method itinera.demo.v1.DemoService/Peek (information, not a failure): {"itinera.options.v1.callers":{"anyone":true}}');
});

test("an acknowledged buf finding passes", () => {
  const { repo } = brokenThenCommittedOnTop();
  acknowledge(repo, [{ ...REMOVED_NOTE, why: "no client ever sent a note: the field was reserved for a feature never built" }]);
  commitAll(repo, "acknowledge the removed note");
  const r = breaking(repo);
  assert.is(r.status, 0, r.out);
  assert.match(r.out, "acknowledged: proto/itinera/demo/v1/demo.proto");
});

test("a buf.yaml that stops judging a file is itself a change to acknowledge", () => {
  const { repo } = scratch();
  edit(repo, "buf.yaml", "    - FILE\n", "    - FILE\n  ignore:\n    - proto/itinera/demo\n");
  edit(repo, DEMO, NOTE_FIELD, "");
  commitAll(repo, "remove the note field where buf no longer looks");
  const r = breaking(repo);
  assert.is(r.status, 1, r.out);
  assert.not.match(r.out, "FIELD_NO_DELETE");
  assert.match(r.out, "buf.yaml changed since the release, and with it maybe the rules that judge the contracts");
  assert.match(r.out, '{"file":"buf.yaml","from":"');
});

test("release-contracts refuses while make breaking is red, then records HEAD and empties the acknowledgements", () => {
  const { repo, released } = scratch();
  edit(repo, DEMO, NOTE_FIELD, "");
  commitAll(repo, "remove the note field");
  const refused = release(repo);
  assert.is(refused.status, 1, refused.out);
  assert.match(refused.out, "make breaking fails, so nothing is released");
  assert.is(readReleased(repo), released);

  acknowledge(repo, [{ ...REMOVED_NOTE, why: "no client ever sent a note" }]);
  const head = commitAll(repo, "acknowledge the removed note");
  const r = release(repo);
  assert.is(r.status, 0, r.out);
  assert.is(readReleased(repo), head);
  assert.equal(JSON.parse(readFileSync(path.join(repo, "contracts/acknowledged-changes.json"), "utf8")).acknowledged, []);
  commitAll(repo, "release the contracts");
  const after = breaking(repo);
  assert.is(after.status, 0, after.out);
  assert.match(after.out, "beyond the 0 acknowledged");
});

test.run();
