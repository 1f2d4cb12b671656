// What must have golden fixtures, derived from the generated code (gen/), so
// that a new event or a new stored command without a fixture fails
// contracts/golden.test.ts:
// - every message of every events.proto: the ones no other message of the file
//   contains are published (on the bus, or as a change signal) and need a
//   fixture of their own; the others (a oneof's arms) must appear in one;
// - the request and the response of every method with an idempotency_key of
//   the services that keep their commands (wallet, payment): the response is
//   stored as bytes and replayed, the request's bytes are hashed and compared
//   when the command is retried, possibly by the next release;
// - the item a payment stores as bytes, and the quote token browsers hold
//   across a deploy.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRegistry, type DescFile, type DescMessage, type DescService, type Registry } from "@bufbuild/protobuf";
import type { ReflectMessage } from "@bufbuild/protobuf/reflect";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { QuoteSchema } from "../../gen/itinera/type/v1/quote_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";

const GEN = fileURLToPath(new URL("../../gen/itinera/", import.meta.url));

/** A message type that fixtures must cover, and why. */
export interface Obligation {
  readonly typeName: string;
  readonly why: string;
  /** True: a fixture of this very type; false: a fixture containing one is enough. */
  readonly own: boolean;
}

/** Every generated file of gen/itinera, imported. */
async function generatedFiles(): Promise<{ path: string; file: DescFile }[]> {
  const found: { path: string; file: DescFile }[] = [];
  for (const pkg of readdirSync(GEN).sort()) {
    for (const version of readdirSync(`${GEN}${pkg}`).sort()) {
      for (const name of readdirSync(`${GEN}${pkg}/${version}`).filter((f) => f.endsWith("_pb.ts")).sort()) {
        const module = (await import(`${GEN}${pkg}/${version}/${name}`)) as Record<string, unknown>;
        const file = Object.values(module).find((v): v is DescFile => (v as DescFile | undefined)?.kind === "file");
        if (file) found.push({ path: `${pkg}/${version}/${name}`, file });
      }
    }
  }
  return found;
}

/** Every message of the generated code, by full name. */
export async function typeRegistry(): Promise<Registry> {
  return createRegistry(...(await generatedFiles()).map((f) => f.file));
}

const COMMAND_STORES: readonly DescService[] = [WalletService, PaymentService];
const STORED: readonly { schema: DescMessage; why: string }[] = [
  { schema: ItemSchema, why: "payment.payments.item holds it as bytes, read when the reservation is made" },
  { schema: QuoteSchema, why: "the signed quote token a browser holds across a deploy, verified by payment" },
];

export async function obligations(): Promise<Obligation[]> {
  const out: Obligation[] = [];
  for (const { path, file } of await generatedFiles()) {
    if (!path.endsWith("/events_pb.ts")) continue;
    const contained = new Set(file.messages.flatMap((m) => m.fields.flatMap((f) => (f.message ? [f.message.typeName] : []))));
    for (const m of file.messages) {
      out.push(
        contained.has(m.typeName)
          ? { typeName: m.typeName, why: `${file.name}.proto: part of a published message`, own: false }
          : { typeName: m.typeName, why: `${file.name}.proto: published`, own: true },
      );
    }
  }
  for (const service of COMMAND_STORES) {
    for (const method of service.methods.filter((m) => m.input.fields.some((f) => f.name === "idempotency_key"))) {
      out.push({ typeName: method.input.typeName, why: `${service.name}.${method.name}: its bytes are hashed and compared on a retry`, own: true });
      out.push({ typeName: method.output.typeName, why: `${service.name}.${method.name}: stored as bytes and replayed`, own: true });
    }
  }
  for (const s of STORED) out.push({ typeName: s.schema.typeName, why: s.why, own: true });
  return out;
}

/** The message types a message holds, itself included: every set field, recursively. */
function typesIn(message: ReflectMessage, into = new Set<string>()): Set<string> {
  into.add(message.desc.typeName);
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    if (field.fieldKind === "message") typesIn(message.get(field), into);
    else if (field.fieldKind === "list" && field.listKind === "message") for (const m of message.get(field)) typesIn(m as ReflectMessage, into);
    else if (field.fieldKind === "map" && field.mapKind === "message") for (const [, m] of message.get(field)) typesIn(m as ReflectMessage, into);
  }
  return into;
}

/** The obligations that no fixture meets: `own` ones need a fixture of their type, the others one that holds the type. */
export function unmet(required: readonly Obligation[], fixtures: readonly ReflectMessage[]): Obligation[] {
  const own = new Set(fixtures.map((f) => f.desc.typeName));
  const held = new Set<string>();
  for (const f of fixtures) typesIn(f, held);
  return required.filter((o) => !(o.own ? own : held).has(o.typeName));
}
