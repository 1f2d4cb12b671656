// What the sellers' webhook is, with no HTTP in it: deliveries to
// `POST /webhooks/<seller_id>` become ReceivePush calls; the seller's
// signature comes from X-<Seller>-Signature (or X-Push-Signature) and the
// push id it signs from X-<Seller>-Push-Id (or X-Push-Id). transport/webhook.ts serves it (wired in main.ts).
import { create } from "@bufbuild/protobuf";
import type { EndpointSet } from "../../endpoints/service.js";
import { ReceivePushRequestSchema, type ReceivePushResponse } from "../../gen/itinera/sellers/v1/sellers_pb.js";

/** Where sellers take pushes: POST <prefix><seller_id> (deploy/k8s routes it from the public Ingress). */
export const PUSH_WEBHOOK_PREFIX = "/webhooks/";

/**
 * The largest push body taken (413 above it): a push is bulk ingestion, and
 * Wanderly's largest snapshot push measured ~0.83 MB of JSON. A whole number
 * of MiB: deploy/k8s's webhooks Ingress lets exactly this much through
 * (proxy-body-size, checked by deploy/k8s.test.ts).
 */
export const PUSH_MAX_BODY_BYTES = 4 * 1024 * 1024;

export function pushWebhook(endpoints: EndpointSet) {
  const receivePush = endpoints.get("receivePush")?.endpoint;
  if (!receivePush) throw new Error("pushWebhook needs the endpoints of SellersService");
  return {
    prefix: PUSH_WEBHOOK_PREFIX,
    maxBodyBytes: PUSH_MAX_BODY_BYTES,
    endpoint: receivePush,
    decode: (sellerId: string, body: Uint8Array, header: (name: string) => string | undefined) =>
      create(ReceivePushRequestSchema, {
        sellerId,
        body,
        signature: header(`x-${sellerId}-signature`) ?? header("x-push-signature") ?? "",
        pushId: header(`x-${sellerId}-push-id`) ?? header("x-push-id") ?? "",
      }),
    encode: (response: unknown) => {
      const out = response as ReceivePushResponse;
      return { rates: out.rates, listings: out.listings, duplicate: out.duplicate };
    },
  };
}
