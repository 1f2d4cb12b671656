// What the web BFF's pure service is built from: a client of each service it
// composes, the session port the transport implements, and its settings.
// Nothing here knows about HTTP, cookies or Connect.
import type { Context, Principal } from "../../endpoints/context.js";
import { internal } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import type { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import type { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import type { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { IdentityService, Tokens } from "../../gen/itinera/identity/v1/identity_pb.js";
import type { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import type { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import type { Priced, PriceRequest } from "../../platform/quotes.js";

/**
 * The browser session of the call being served, as the transport keeps it
 * (cookies). The service decides when a session begins and ends; the
 * transport decides how that reaches the browser.
 */
export interface SessionPort {
  /** This browser's CSRF token; one is made (and kept) when it has none. */
  csrfToken(): string;
  /** Makes `tokens` this browser's session; answers the new CSRF token. */
  begin(tokens: Tokens): string;
  /** This browser's refresh token, if it has one (what identity's SignOut revokes). */
  refreshToken(): string | undefined;
  /** Forgets the session (and the CSRF token). */
  end(): void;
}

/** A Context the web transport has attached this call's session to (derive keeps the field). */
export type SessionContext = Context & { readonly session?: SessionPort };

/** The session of this call; the transport attaches one to every call it serves. */
export function sessionOf(ctx: Context): SessionPort {
  const session = (ctx as SessionContext).session;
  if (!session) throw internal("the call has no session: the web transport attaches one to every call");
  return session;
}

export interface WebSettings {
  /** Where the browser reaches the web app ("http://127.0.0.1:8080"): the gateway sends it back there. */
  publicUrl: string;
  /** The currency of wallets and payments. */
  currency: string;
  /** How often WatchTrip looks at a trip. */
  watchPollMs: number;
  /** How long one WatchTrip call follows a trip at most. */
  watchMaxMs: number;
  /** How long a list of airports is used before asking the catalog again. */
  airportsTtlMs: number;
}

export const DEFAULT_WEB_SETTINGS: WebSettings = {
  publicUrl: "http://127.0.0.1:8080",
  currency: "EUR",
  watchPollMs: 500,
  watchMaxMs: 60_000,
  airportsTtlMs: 10 * 60_000,
};

/** What the Operator page reads: sellers, booking's and payment's operator reads, and the DeadLetterService of each process that consumes events, by its name. */
export interface OperatorDeps {
  sellers: Client<typeof SellersService>;
  booking: Client<typeof BookingService>;
  payment: Client<typeof PaymentService>;
  deadLetters: Readonly<Record<string, Client<typeof DeadLetterService>>>;
}

export interface WebServiceDeps extends OperatorDeps {
  identity: Client<typeof IdentityService>;
  search: Client<typeof SearchService>;
  catalog: Client<typeof CatalogService>;
  wallet: Client<typeof WalletService>;
  payment: Client<typeof PaymentService>;
  booking: Client<typeof BookingService>;
  /** Reads search's quotes for an early refusal (platform/quotes.ts quoteReader; payment verifies them). */
  priceQuotes: (req: PriceRequest) => Priced;
  /**
   * The BFF's own service principal, for the calls made as itself:
   * identity.GetCustomer, and identity.SignIn, where identity honours the
   * browser's address the BFF forwards only from this identity.
   */
  servicePrincipal: (ctx: Context) => Promise<Principal>;
  /** Signs ListTrips' page tokens (WEB_PAGE_TOKEN_SECRET): every web instance shares it. */
  pageTokenSecret: string;
  settings?: Partial<WebSettings>;
  /** Milliseconds; tests pass their own clock. */
  now?: () => number;
  /** Waits `ms` or until `signal` fires (WatchTrip's pause between looks). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}
