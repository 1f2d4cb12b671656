// Every edge the services are wired with, derived from their code, and the
// pact each one needs: so that a client or a subscription wired without a
// contract fails contracts/edges.test.ts, naming the edge. There is no
// second, hand-kept list of edges: the code is the list.
//
// A service's code is services/<name>/**.ts without its tests, fixtures and
// test helpers, comments left out; the web app's (consumer "webapp") is
// web/src/**.ts(x) likewise. Their edges:
//
// - RPC: `clientOf(XService, …)` (the web app: `createClient`) makes a client of the service whose
//   generated code X is imported from (gen/itinera/<provider>/v1/…); each
//   method of X the code calls (`.methodName(`) is an edge, needing an
//   interaction on its procedure path in pacts/<consumer>-<provider>.json.
//   A contract no single service owns (gen/itinera/bus: DeadLetterService,
//   which every process that consumes events serves for its own groups) is
//   served by the services whose code calls `serveService(…, XService, …)`:
//   the edge goes to each of them (the network must let the call through to
//   every one), and its pact is still the contract's, pacts/<consumer>-bus.json.
// - identity access (services/identity/access.ts): `identityAccess(` builds
//   the token verifier, which fetches GET /.well-known/jwks.json at once (as
//   does any `tokenVerifier({ jwksUrl`); using its `tokens` or
//   `servicePrincipal` calls IssueServiceToken; its `identity` client is an
//   IdentityService client like any other.
// - events: `bus.subscribe({ topic: topicOf(XSchema), …` subscribes the
//   service to the topic event message X declares ((itinera.options.v1.topic),
//   the only way a service names a topic: any other bus.subscribe fails
//   here); its publisher is the service whose contract X is in
//   (gen/itinera/<publisher>/v1). The pact is a message pact with the provider
//   "<publisher>-events", pacts/<consumer>-<publisher>-events.json, with an
//   interaction on that topic. A service consuming its own topic (booking's
//   settlement, payment's reservations) is not an edge between services.
//
// Server-streaming methods are edges too, reported apart: no Pact
// interaction can describe them (README: "Server streams are not Pact
// interactions"). Each RPC edge's method must also admit the consumer in its contract's
// (itinera.options.v1.callers) — anyone, a customer or an operator (the BFF forwards the person's token; was: the BFF forwards the
// customer's token) or the consumer by name — or the provider would refuse
// it at run time: `undeclaredCallers` lists those that do not.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import { topicOf } from "../endpoints/bus.js";
import { callersOf } from "../endpoints/endpoint.js";
import { servicesIn } from "../scripts/lint-callers.js";

export interface Edge {
  consumer: string;
  /** The provider as its pacts name it: "wallet", or "booking-events" for booking's events; for a contract no service owns, the service serving it. */
  provider: string;
  /** The pact's provider where it is not `provider`: the contract's name ("bus") for a contract several services serve. */
  pactProvider?: string;
  /** "stream": a server-streaming method, which no Pact interaction can describe (README: server streams). */
  kind: "rpc" | "stream" | "jwks" | "event";
  /** What the pact's interaction must carry: the procedure path, the JWKS path, or the topic. */
  what: string;
  /** The consumer's source file that wires the edge (relative to the root). */
  where: string;
}

/** A source file of a service, comments left out. */
interface Source {
  service: string;
  path: string;
  code: string;
}

const JWKS_PATH = "/.well-known/jwks.json";
const NOT_SERVICE_CODE = /(\.test\.tsx?|\.fixture\.ts|\.testing\.ts|[/\\](fixture|fakes|testing)\.ts)$/;

/** The web app (web/src), the consumer "webapp" of the BFF. */
const WEB_APP = { dir: "web/src", consumer: "webapp" };

/**
 * The consumers' code under `root`: each service's (services/<name>) and the
 * web app's, every .ts/.tsx file but tests, fixtures and test helpers.
 */
export function serviceSources(root: string): Source[] {
  const sources: Source[] = [];
  const walk = (service: string, dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== "test" && name !== "migrations") walk(service, path);
      } else if (/\.tsx?$/.test(name) && !NOT_SERVICE_CODE.test(path)) {
        sources.push({ service, path: relative(root, path), code: withoutComments(readFileSync(path, "utf8")) });
      }
    }
  };
  const servicesDir = join(root, "services");
  for (const service of readdirSync(servicesDir).sort()) {
    if (statSync(join(servicesDir, service)).isDirectory()) walk(service, join(servicesDir, service));
  }
  if (existsSync(join(root, WEB_APP.dir))) walk(WEB_APP.consumer, join(root, WEB_APP.dir));
  return sources;
}

function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Every edge the services under `root` are wired with, sorted. */
export async function wiredEdges(root: string): Promise<Edge[]> {
  const sources = serviceSources(root);
  const byService = new Map<string, Source[]>();
  for (const s of sources) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  const edges = new Map<string, Edge>();
  // A service calling itself (identity's own access library) is not an edge between services.
  const add = (e: Edge) => e.consumer !== e.provider && edges.set(`${e.consumer} ${e.provider} ${e.what}`, e);

  for (const [consumer, files] of byService) {
    const all = files.map((f) => f.code).join("\n");
    // Clients: the descriptor, where it is generated, and the methods the service calls.
    const clients: Array<{ desc: DescService; provider: string; where: string }> = [];
    for (const f of files) {
      for (const [, name] of f.code.matchAll(/\b(?:clientOf|createClient)\(\s*(\w+)\s*,/g)) {
        clients.push({ ...(await clientDescriptor(root, f.path, f.code, name!)), where: f.path });
      }
    }
    const access = files.find((f) => /(?<!function\s+)\bidentityAccess\(/.test(f.code));
    if (access) {
      add({ consumer, provider: "identity", kind: "jwks", what: JWKS_PATH, where: access.path });
      if (/\.(tokens|servicePrincipal)\b/.test(access.code)) {
        add({ consumer, provider: "identity", kind: "rpc", what: "/itinera.identity.v1.IdentityService/IssueServiceToken", where: access.path });
      }
      if (/\.identity\b/.test(access.code)) {
        const { IdentityService } = await import("../gen/itinera/identity/v1/identity_pb.js");
        clients.push({ desc: IdentityService, provider: "identity", where: access.path });
      }
    }
    for (const f of files) {
      if (/\btokenVerifier\(\s*\{\s*jwksUrl\b/.test(f.code)) add({ consumer, provider: "identity", kind: "jwks", what: JWKS_PATH, where: f.path });
    }
    for (const c of clients) {
      // A contract no service owns goes to every service that serves it.
      const serving = byService.has(c.provider) ? [] : servers(sources, c.desc.name);
      const owned = serving.length === 0;
      const providers = owned ? [c.provider] : serving;
      for (const m of c.desc.methods) {
        if (new RegExp(`\\.${m.localName}\\(`).test(all)) {
          const kind = m.methodKind === "server_streaming" ? "stream" : "rpc";
          for (const provider of providers) {
            add({ consumer, provider, kind, what: `/${c.desc.typeName}/${m.name}`, where: c.where, ...(owned ? {} : { pactProvider: c.provider }) });
          }
        }
      }
    }
  }

  // Events: each subscription to another service's topic, named by its event message.
  for (const s of sources) {
    const calls = [...s.code.matchAll(/\bbus\.subscribe\(/g)].length;
    const subscriptions = [...s.code.matchAll(/\bbus\.subscribe\(\s*\{[^}]*?\btopic:\s*topicOf\(\s*(\w+)\s*\)/g)];
    if (subscriptions.length !== calls) {
      throw new Error(`${s.path}: subscribe with bus.subscribe({ topic: topicOf(TheEventSchema), … }), the topic the event message declares`);
    }
    for (const [, name] of subscriptions) {
      const { topic, publisher } = await eventTopic(root, s.path, s.code, name!);
      if (publisher !== s.service) add({ consumer: s.service, provider: `${publisher}-events`, kind: "event", what: topic, where: s.path });
    }
  }
  return [...edges.values()].sort((a, b) => `${a.consumer} ${a.provider} ${a.what}`.localeCompare(`${b.consumer} ${b.provider} ${b.what}`));
}

/** The services whose code serves the generated service `name`: a `serveService(` call whose second argument is `name`. */
function servers(sources: Source[], name: string): string[] {
  const serving = new Set<string>();
  for (const s of sources) {
    for (const call of s.code.matchAll(/\bserveService\(/g)) {
      if (argumentsAt(s.code, call.index + call[0].length)[1] === name) serving.add(s.service);
    }
  }
  return [...serving].sort();
}

/** The top-level arguments of the call whose argument list starts at `from` (just after its "("), trimmed. */
function argumentsAt(code: string, from: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < code.length; i++) {
    const ch = code[i];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if ((ch === ")" || ch === "]" || ch === "}") && depth > 0) depth--;
    else if (ch === ")" || (ch === "," && depth === 0)) {
      args.push(code.slice(start, i).trim());
      if (ch === ")") break;
      start = i + 1;
    }
  }
  return args;
}

/** The module `code` imports `name` from ("../../gen/itinera/wallet/v1/wallet_pb.js"), if it does. */
function importOf(code: string, name: string): string | undefined {
  for (const [, names, from] of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    if (names!.split(",").some((n) => n.trim() === name)) return from;
  }
  return undefined;
}

/** The generated service `name` a client is made of in `path`, and the service that provides it (gen/itinera/<provider>/v1). */
async function clientDescriptor(root: string, path: string, code: string, name: string): Promise<{ desc: DescService; provider: string }> {
  const from = importOf(code, name);
  const provider = from && /gen\/itinera\/(\w+)\/v1\//.exec(from)?.[1];
  if (!from || !provider) throw new Error(`${path}: a client of ${name} — cannot tell which gen/itinera/<service>/v1 module ${name} comes from`);
  const module = (await import(pathToFileURL(join(root, path, "..", from.replace(/\.js$/, ".ts"))).href)) as Record<string, unknown>;
  const desc = module[name] as DescService | undefined;
  if (desc?.kind !== "service") throw new Error(`${path}: ${name} from ${from} is not a generated service`);
  return { desc, provider };
}

/** The topic the event message `name` (imported in `path`) declares, and its publisher: the service whose contract it is in (gen/itinera/<publisher>/v1). */
async function eventTopic(root: string, path: string, code: string, name: string): Promise<{ topic: string; publisher: string }> {
  const from = importOf(code, name);
  const publisher = from && /gen\/itinera\/(\w+)\/v1\//.exec(from)?.[1];
  if (!from || !publisher) throw new Error(`${path}: a subscription to ${name} — cannot tell which gen/itinera/<service>/v1 module ${name} comes from`);
  const module = (await import(pathToFileURL(join(root, path, "..", from.replace(/\.js$/, ".ts"))).href)) as Record<string, unknown>;
  const desc = module[name] as DescMessage | undefined;
  if (desc?.kind !== "message") throw new Error(`${path}: ${name} from ${from} is not a generated message`);
  return { topic: topicOf(desc).name, publisher };
}

interface PactFile {
  consumer?: { name?: string };
  provider?: { name?: string };
  interactions?: Array<{ type?: string; request?: { method?: string; path?: string }; metadata?: { topic?: string } }>;
}

/** The pact file an edge needs: <consumer>-<provider>.json (the contract's name for a contract several services serve). */
export function pactFileOf(e: Edge): string {
  return `${e.consumer}-${e.pactProvider ?? e.provider}.json`;
}

/** Why the committed pacts in `pactsDir` do not cover `e`, or undefined when one of its interactions does. */
export function missingPact(e: Edge, pactsDir: string): string | undefined {
  const file = join(pactsDir, pactFileOf(e));
  if (!existsSync(file)) return `no pact: ${pactFileOf(e)} does not exist`;
  const pact = JSON.parse(readFileSync(file, "utf8")) as PactFile;
  const covers = (pact.interactions ?? []).some((i) => (e.kind === "event" ? i.metadata?.topic === e.what : i.request?.path === e.what));
  return covers ? undefined : `no interaction in ${pactFileOf(e)} ${e.kind === "event" ? "on the topic" : "calls"} ${e.what}`;
}

export interface Coverage {
  edges: Edge[];
  /** The edges a committed pact covers. */
  pacted: Edge[];
  /** Server streams: Pact's core cannot match Connect's enveloped streaming body, so no pact can hold them. */
  streams: Edge[];
  /** Each other edge without a pact, with why: these fail the edge test. */
  missing: Array<{ edge: Edge; why: string }>;
}

export function coverage(edges: Edge[], pactsDir: string): Coverage {
  const streams = edges.filter((e) => e.kind === "stream");
  const checked = edges.filter((e) => e.kind !== "stream").map((edge) => ({ edge, why: missingPact(edge, pactsDir) }));
  return {
    edges,
    pacted: checked.filter((c) => c.why === undefined).map((c) => c.edge),
    streams,
    missing: checked.flatMap(({ edge, why }) => (why === undefined ? [] : [{ edge, why }])),
  };
}

/** One line for an edge: "search → wallet /itinera.wallet.v1.WalletService/GetBalance (services/search/main.ts)". */
export function describeEdge(e: Edge): string {
  return `${e.consumer} → ${e.provider} ${e.kind === "event" ? `topic ${e.what}` : e.what} (${e.where})`;
}

/** RPC edges whose method's (itinera.options.v1.callers) does not admit the consumer. */
export async function undeclaredCallers(edges: Edge[], root: string): Promise<string[]> {
  const methods = new Map<string, DescMethod>((await servicesIn(join(root, "gen/itinera"))).flatMap((d) => d.methods.map((m) => [`/${d.typeName}/${m.name}`, m] as const)));
  return edges
    .filter((e) => e.kind === "rpc" || e.kind === "stream")
    .flatMap((e) => {
      const method = methods.get(e.what);
      const callers = method && callersOf(method);
      if (callers && (callers.anyone || callers.customer || callers.operator || callers.services.includes(e.consumer))) return [];
      return [`${describeEdge(e)}: ${method?.name ?? e.what}'s (itinera.options.v1.callers) does not admit ${e.consumer}`];
    });
}
