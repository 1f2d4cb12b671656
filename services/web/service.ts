// The web BFF (itinera.web.v1.WebService): the browser's one API, composed
// of identity, search, catalog, wallet, payment and booking. Pure logic: it
// knows clients of those services and the session port its transport
// implements (cookies live in session-transport.ts), nothing of HTTP.
//
// The customer is ALWAYS the principal the transport verified and put in the
// Context; calls on the customer's behalf forward the customer's own token
// (the Context's principal), so search prices and quotes for them and
// payment and booking answer only what is theirs. The parts, one file each:
// account.ts (session), discovery.ts (destinations, airports), browse.ts
// (results, hotel page, with prices.ts), booking.ts (StartBooking, from
// search's quotes), trips.ts (trips and their watch), trips-list.ts (My trips),
// wallet.ts, operator.ts (the Operator page: sellers' health, dead letters).
import type { Service } from "../../endpoints/service.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import { account } from "./account.js";
import { booking } from "./booking.js";
import { browse } from "./browse.js";
import { DEFAULT_WEB_SETTINGS, type WebServiceDeps, type WebSettings } from "./deps.js";
import { discovery } from "./discovery.js";
import { operatorPage } from "./operator.js";
import { trips } from "./trips.js";
import { walletPage } from "./wallet.js";

export type { SessionPort, WebServiceDeps, WebSettings } from "./deps.js";

export function webService(deps: WebServiceDeps): Service<typeof WebService> {
  const settings: WebSettings = { ...DEFAULT_WEB_SETTINGS, ...deps.settings };
  const now = deps.now ?? Date.now;
  return {
    ...account(deps, now),
    ...discovery(deps, settings, now),
    ...browse(deps),
    ...booking(deps, settings),
    ...trips(deps, settings, now),
    ...walletPage(deps, settings),
    ...operatorPage(deps),
  };
}
