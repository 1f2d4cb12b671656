// The one rule for what a dependency's URL variable (CATALOG_URL, PRICING_URL,
// …) may hold: one base URL, or a comma-separated list of them (the replicas
// of the dependency), each http:// or https:// with a host and nothing after
// the path. A host name may stand for several addresses (a Kubernetes headless
// Service): transport/balancer.ts resolves it. Pure: no DNS here.
//
//   parsePeerUrls("http://127.0.0.1:7002, http://127.0.0.1:7012")
//   // { ok: true, urls: ["http://127.0.0.1:7002", "http://127.0.0.1:7012"] }
//   parsePeerUrls("http://127.0.0.1:7002,127.0.0.1:7012")
//   // { ok: false, problem: 'has an entry that is not an http:// or https:// base URL: "127.0.0.1:7012"' }

export type PeerUrls = { ok: true; urls: string[] } | { ok: false; problem: string };

export function parsePeerUrls(text: string): PeerUrls {
  const urls = text.split(",").map((s) => s.trim());
  if (urls.some((u) => u === "")) return { ok: false, problem: "has an empty entry (a comma too many?)" };
  for (const entry of urls) {
    const problem = entryProblem(entry);
    if (problem) return { ok: false, problem: `${problem}: ${JSON.stringify(entry)}` };
  }
  const twice = urls.find((u, i) => urls.indexOf(u) !== i);
  if (twice !== undefined) return { ok: false, problem: `names ${JSON.stringify(twice)} twice` };
  return { ok: true, urls };
}

function entryProblem(entry: string): string | undefined {
  if (!URL.canParse(entry)) return "has an entry that is not an http:// or https:// base URL";
  const u = new URL(entry);
  if ((u.protocol !== "http:" && u.protocol !== "https:") || u.hostname === "") {
    return "has an entry that is not an http:// or https:// base URL";
  }
  if (u.username !== "" || u.password !== "") return "has an entry with credentials (a dependency's URL carries none)";
  if (u.search !== "" || u.hash !== "") return "has an entry with a query or fragment (a base URL ends at its path)";
  return undefined;
}

/** The entries of a list already validated (a peerUrls setting's value); throws, naming the problem, on one that is not. */
export function peerUrlList(text: string): string[] {
  const parsed = parsePeerUrls(text);
  if (!parsed.ok) throw new Error(`the base URL list ${JSON.stringify(text)} ${parsed.problem}`);
  return parsed.urls;
}
