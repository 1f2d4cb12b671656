// Test support for the malformed-input sweep (e2e/malformed.test.ts): a
// seeded generator of hostile requests for every protocol a port speaks —
// Connect JSON and binary (unary, streaming, GET), gRPC, gRPC-Web — and for
// the plain HTTP routes. The same seed gives the same requests.
import { ScalarType, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { gzipSync } from "node:zlib";

/** One request to send; `protocol` is what the tally counts it under. */
export interface Attack {
  protocol: "connect-json" | "connect-proto" | "connect-stream" | "connect-get" | "grpc" | "grpc-web" | "http-route" | "raw";
  /** What the generator meant to send ("truncated", "gzip-bomb", ...). */
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** mulberry32: a small seeded PRNG, enough for test inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A gzip body that inflates to 32 MiB of zeros (about 32 KiB on the wire). */
const BOMB = gzipSync(new Uint8Array(32 * 1024 * 1024));
/** Over every default cap. */
const HUGE = new Uint8Array(2 * 1024 * 1024 + 7).fill(0x41);

export class AttackGenerator {
  private readonly rnd: () => number;

  constructor(seed: number) {
    this.rnd = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** Something shaped like protobuf: random tags and wire types, lengths that may lie. */
  protoish(): Uint8Array {
    const parts: number[] = [];
    for (let fields = 1 + this.int(8); fields > 0; fields--) {
      const wire = this.pick([0, 1, 2, 2, 2, 5, 3, 4, 6, 7]);
      parts.push(((1 + this.int(40)) << 3) | wire);
      if (wire === 0) parts.push(...this.bytes(1 + this.int(11)).map((b, i, a) => (i < a.length - 1 ? b | 0x80 : b & 0x7f)));
      else if (wire === 1) parts.push(...this.bytes(this.int(9)));
      else if (wire === 5) parts.push(...this.bytes(this.int(5)));
      else if (wire === 2) {
        const content = this.pick([
          () => this.bytes(this.int(20)),
          () => Uint8Array.from([0x61, 0x00, 0x62]), // NUL inside a string
          () => Uint8Array.from([0xc3, 0x28, 0xff, 0xfe]), // invalid UTF-8
          () => Uint8Array.from([0xed, 0xa0, 0x80]), // an encoded surrogate
        ])();
        const lie = this.int(4) === 0 ? this.int(1 << 20) : content.length;
        parts.push(lie & 0x7f | (lie > 0x7f ? 0x80 : 0), ...(lie > 0x7f ? [(lie >> 7) & 0x7f] : []), ...content);
      }
    }
    return Uint8Array.from(parts);
  }

  /** JSON that is broken, deep, NUL-laden, invalid UTF-8, or well-formed with bad values. */
  json(method: DescMethod): { kind: string; body: Uint8Array } {
    const strings = method.input.fields.filter((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.STRING);
    const anyField = method.input.fields.length > 0 ? this.pick(method.input.fields).jsonName : "x";
    const text = strings.length > 0 ? this.pick(strings).jsonName : anyField;
    const depth = 1000 + this.int(200_000);
    const variants: [string, () => string | Uint8Array][] = [
      ["json-truncated", () => `{"${anyField}": "abc`],
      ["json-deep-object", () => `{"${anyField}":`.repeat(depth) + "1" + "}".repeat(depth)],
      ["json-deep-array", () => `{"${anyField}":` + "[".repeat(depth) + "]".repeat(depth) + "}"],
      ["json-nul-escape", () => `{"${text}":"a\\u0000b"}`],
      ["json-nul-raw", () => Buffer.concat([Buffer.from(`{"${text}":"a`), Buffer.from([0]), Buffer.from(`b"}`)])],
      ["json-invalid-utf8", () => Buffer.concat([Buffer.from(`{"${text}":"`), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]), Buffer.from(`"}`)])],
      ["json-lone-surrogate", () => `{"${text}":"\\ud800x"}`],
      ["json-wrong-types", () => `{"${anyField}": ${this.pick(["{}", "[]", "1e999", '"x"', "true", "-1", "18446744073709551616"])}}`],
      ["json-not-object", () => this.pick(["[]", "null", "42", '"s"', "", "{{}", "\u0000"])],
      ["json-long-string", () => `{"${text}":"${"x".repeat(this.int(300_000))}"}`],
      ["json-random-bytes", () => this.bytes(this.int(512))],
    ];
    const [kind, make] = this.pick(variants);
    const made = make();
    return { kind, body: typeof made === "string" ? Buffer.from(made) : made };
  }

  /** A binary payload: random, protobuf-ish, or empty. */
  binary(): { kind: string; body: Uint8Array } {
    return this.pick([
      () => ({ kind: "random-bytes", body: this.bytes(this.int(1024)) }),
      () => ({ kind: "protoish", body: this.protoish() }),
      () => ({ kind: "protoish", body: this.protoish() }),
      () => ({ kind: "truncated", body: this.protoish().subarray(0, 1 + this.int(3)) }),
      () => ({ kind: "empty", body: new Uint8Array(0) }),
    ])();
  }

  /** An envelope (gRPC, gRPC-Web, Connect streaming): right, wrong or absurd length prefix and flags. */
  envelope(payload: Uint8Array): { kind: string; body: Uint8Array } {
    const variant = this.int(6);
    const flags = variant === 1 ? this.pick([1, 2, 0x80, 0xff]) : 0;
    const length =
      variant === 2 ? payload.length + 1 + this.int(100) : variant === 3 ? 0x7fffffff : variant === 4 ? Math.max(0, payload.length - 1) : payload.length;
    const out = new Uint8Array(5 + payload.length);
    out[0] = flags;
    new DataView(out.buffer).setUint32(1, length >>> 0);
    out.set(payload, 5);
    if (variant === 5) return { kind: "envelope-cut", body: out.subarray(0, this.int(5)) };
    return { kind: ["envelope", "envelope-flags", "envelope-short", "envelope-huge-length", "envelope-long", ""][variant]!, body: out };
  }

  /** A request to one RPC of `service`, on a protocol chosen at random. */
  rpc(service: DescService): Attack {
    const method = this.pick(service.methods);
    const path = `/${service.typeName}/${method.name}`;
    const bad = this.int(30);
    if (bad === 0) return { protocol: "connect-proto", kind: "huge-body", method: "POST", path, headers: { "content-type": "application/proto" }, body: HUGE };
    if (bad === 1) return { protocol: "connect-proto", kind: "gzip-bomb", method: "POST", path, headers: { "content-type": "application/proto", "content-encoding": "gzip" }, body: BOMB };
    if (bad === 2) {
      const body = new Uint8Array(5 + BOMB.length);
      body[0] = 1;
      new DataView(body.buffer).setUint32(1, BOMB.length);
      body.set(BOMB, 5);
      return { protocol: this.pick(["grpc", "grpc-web"] as const), kind: "gzip-bomb", method: "POST", path, headers: { "grpc-encoding": "gzip" }, body };
    }
    if (bad === 3) return { protocol: "connect-json", kind: "bad-gzip", method: "POST", path, headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), this.bytes(64)]) };
    if (bad === 4) return { protocol: "connect-json", kind: "wrong-content-type", method: this.pick(["POST", "PUT", "DELETE", "PATCH"]), path, headers: { "content-type": this.pick(["text/plain", "application/xml", "multipart/form-data", "application/grpc+json; charset=x", ""]) }, body: this.bytes(this.int(64)) };
    if (bad === 5) return { protocol: "connect-get", kind: "connect-get", method: "GET", path: `${path}?connect=v1&encoding=${this.pick(["proto", "json", "xml"])}&base64=${this.pick(["1", "0"])}&message=${this.pick(["%ZZ", "!!!", "AAAA", "eyJ4Ijoi", "%00%00"])}&compression=${this.pick(["", "gzip", "br", "zstd"])}`, headers: {} };
    const protocol = this.pick(["connect-json", "connect-json", "connect-proto", "connect-proto", "grpc", "grpc", "grpc-web"] as const);
    if (protocol === "connect-json") {
      const { kind, body } = this.json(method);
      if (method.methodKind !== "unary") {
        const env = this.envelope(body);
        return { protocol: "connect-stream", kind: `${kind}+${env.kind}`, method: "POST", path, headers: { "content-type": "application/connect+json" }, body: env.body };
      }
      return { protocol, kind, method: "POST", path, headers: { "content-type": "application/json", "connect-protocol-version": "1" }, body };
    }
    const { kind, body } = this.binary();
    if (protocol === "connect-proto") {
      if (method.methodKind !== "unary") {
        const env = this.envelope(body);
        return { protocol: "connect-stream", kind: `${kind}+${env.kind}`, method: "POST", path, headers: { "content-type": "application/connect+proto" }, body: env.body };
      }
      return { protocol, kind, method: "POST", path, headers: { "content-type": "application/proto" }, body };
    }
    const env = this.envelope(body);
    return { protocol, kind: `${kind}+${env.kind}`, method: "POST", path, headers: {}, body: env.body };
  }

  /** A request to a plain HTTP route, or a path no route expects. */
  route(routes: readonly string[]): Attack {
    const base = this.pick(routes);
    const path = this.pick([
      () => base,
      () => base,
      () => `${base}?${this.pick(["x=%ZZ", "a=" + "b".repeat(this.int(4000)), "%00", "&&=="])}`,
      () => this.pick(["//", "///x", "/%ZZ", "/%", "/%C0%AE%C0%AE/", "/..%2f..%2fetc%2fpasswd", "/webhooks/%ZZ", "/webhooks/", "/webhooks/a/b", "/webhooks/%2e%2e", "/callbacks/gateway/../gateway", "/.well-known/jwks.json%00", "/assets/" + "-".repeat(this.int(6000)) + ".js", "/index.html%00.js", "/*", "/\u00e9t\u00e9"]),
      () => `${base}/${"%".repeat(1 + this.int(5))}${this.int(100)}`,
    ])();
    const method = this.pick(["GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]);
    const headers: Record<string, string> = this.pick([
      () => ({ "content-type": "application/json" }),
      () => ({ "content-type": "application/json", "x-wanderly-signature": this.pick(["", "sha256=zz", "0".repeat(64)]), "x-push-id": this.pick(["", "%ZZ", "x".repeat(300)]) }),
      () => ({ "content-type": this.pick(["text/plain", "application/x-www-form-urlencoded"]), "if-none-match": "W/\"x\"" }),
      () => ({ origin: this.pick(["http://evil.example", "null"]), "access-control-request-method": "POST", "access-control-request-headers": "x".repeat(this.int(200)) }),
      () => ({}),
    ])();
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return { protocol: "http-route", kind: "route", method, path, headers };
    const body = this.pick([
      () => Buffer.from(this.pick(["{", "{}", "[]", '{"push_id":"\\u0000"}', '{"rates":' + "[".repeat(50_000) + "]".repeat(50_000) + "}", '{"payment_id":"pay_x","status":"\u0000"}'])),
      () => this.bytes(this.int(2048)),
      () => Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe, 0]), Buffer.from('"}')]),
      () => (this.int(10) === 0 ? HUGE : new Uint8Array(0)),
    ])();
    return { protocol: "http-route", kind: "route-body", method, path, headers, body };
  }

  /** Bytes on a bare TCP connection: broken HTTP/1.1, a broken HTTP/2 preface, or noise. */
  raw(): { kind: string; bytes: Uint8Array } {
    return this.pick([
      () => ({ kind: "raw-noise", bytes: this.bytes(1 + this.int(512)) }),
      () => ({ kind: "raw-h2-garbage", bytes: Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), this.bytes(this.int(256))]) }),
      () => ({ kind: "raw-http1", bytes: Buffer.from(this.pick(["GET // HTTP/1.1\r\nHost: x\r\n\r\n", "POST /webhooks/%ZZ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "POST /callbacks/gateway HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "GET /healthz HTTP/1.0\r\n\r\n", "GET http://evil/healthz HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "POST /grpc.health.v1.Health/Check HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: a b\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"])) }),
    ])();
  }
}
