// The base URLs of a dependency's replicas, from the entries of its URL
// variable (platform/peer-urls.ts): an entry whose host is an IP address is
// one replica; a host name is resolved to all its addresses (a Kubernetes
// headless Service), again every `resolveEveryMs` (30 s) when calls ask, and
// within a second after a replica failed. A name that fails to resolve keeps
// what it resolved to before: a resolver's hiccup is not the replicas leaving.
//
//   const addresses = new ReplicaAddresses(["http://catalog:7002"], { lookup });
//   await addresses.current();   // ["http://10.0.0.5:7002", "http://10.0.0.6:7002"]
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";

/** All the addresses of a host name. */
export type Lookup = (hostname: string) => Promise<string[]>;

export interface AddressOptions {
  /** Resolves a host name to all its addresses; default dns.lookup (all: true). */
  lookup?: Lookup;
  /** How often host names are resolved again. Default 30 000 ms. */
  resolveEveryMs?: number;
}

/** The soonest a failure triggers another resolution of the host names. */
const RESOLVE_AFTER_FAILURE_MS = 1_000;

const defaultLookup: Lookup = async (hostname) => (await dnsLookup(hostname, { all: true })).map((a) => a.address);

const withoutSlash = (url: string) => url.replace(/\/$/, "");

export class ReplicaAddresses {
  /** Whether any entry is a host name (otherwise the URLs never change). */
  readonly resolves: boolean;
  private urls: readonly string[] = [];
  private readonly named: ReadonlySet<string>;
  private readonly lookup: Lookup;
  private readonly resolveEveryMs: number;
  private resolveAt = 0;
  private resolving: Promise<void> | undefined;
  private failure: unknown;
  /** The base URLs each host name resolved to last. */
  private readonly resolved = new Map<string, string[]>();

  constructor(
    private readonly entries: readonly string[],
    opts: AddressOptions = {},
  ) {
    this.lookup = opts.lookup ?? defaultLookup;
    this.resolveEveryMs = opts.resolveEveryMs ?? 30_000;
    this.named = new Set(entries.filter((e) => !hasAddress(e)));
    this.resolves = this.named.size > 0;
    if (!this.resolves) this.urls = entries.map(withoutSlash);
  }

  /** The base URLs now (the same array while nothing changed); waits only while no address is known yet. */
  current(): readonly string[] | Promise<readonly string[]> {
    if (!this.resolves || (this.urls.length > 0 && Date.now() < this.resolveAt)) return this.urls;
    this.resolving ??= this.resolve().finally(() => (this.resolving = undefined));
    // With addresses known, calls go on while the names are resolved again.
    return this.urls.length > 0 ? this.urls : this.resolving.then(() => this.urls);
  }

  /** A replica failed: its name may point elsewhere now. */
  replicaFailed(): void {
    if (this.resolves) this.resolveAt = Math.min(this.resolveAt, Date.now() + RESOLVE_AFTER_FAILURE_MS);
  }

  /** The error of a call while no address is known. */
  noAddress(): ConnectError {
    const why = this.failure instanceof Error ? `: ${this.failure.message}` : "";
    return new ConnectError(`no address of ${this.entries.join(",")} could be resolved${why}`, Code.Unavailable);
  }

  private async resolve(): Promise<void> {
    this.resolveAt = Date.now() + this.resolveEveryMs;
    const urls: string[] = [];
    for (const entry of this.entries) {
      if (!this.named.has(entry)) {
        urls.push(withoutSlash(entry));
        continue;
      }
      try {
        const addresses = await this.lookup(new URL(entry).hostname);
        this.resolved.set(entry, addresses.map((a) => withAddress(entry, a)));
        this.failure = undefined;
      } catch (e) {
        this.failure = e;
      }
      urls.push(...(this.resolved.get(entry) ?? []));
    }
    this.urls = [...new Set(urls)];
  }
}

/** Whether the base URL's host is an IP address (not a name to resolve). */
export function hasAddress(baseUrl: string): boolean {
  return isIP(new URL(baseUrl).hostname.replace(/^\[|\]$/g, "")) !== 0;
}

/** One address of `entry` (its host replaced by `address`). */
function withAddress(entry: string, address: string): string {
  const u = new URL(entry);
  u.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return withoutSlash(u.toString());
}
