// Who is signed in, asked once when the app starts (GetSession, which also
// answers the CSRF token) and changed by sign-in, sign-up and sign-out.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Customer } from "../../gen/itinera/web/v1/web_pb.js";
import { useApi } from "./api/context.js";
import { describeError } from "./api/errors.js";
import { signInUrl } from "./lib/params.js";
import { navigate, useLocation } from "./router.js";

export interface Session {
  /**
   * "loading" until GetSession first answers; "ready" once it has; "unknown"
   * while it fails (BFF unreachable, rate-limited): pages render and show
   * their own errors, nobody is sent to sign in, and GetSession is asked again.
   */
  status: "loading" | "ready" | "unknown";
  customer: Customer | undefined;
  /** After SignIn/VerifyEmail answered. */
  signedIn: (customer: Customer | undefined) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [status, setStatus] = useState<Session["status"]>("loading");
  const [customer, setCustomer] = useState<Customer | undefined>(undefined);

  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const ask = (attempt: number) => {
      api.getSession({}).then(
        (res) => {
          if (!live) return;
          setCustomer(res.customer);
          setStatus("ready");
        },
        (e: unknown) => {
          if (!live) return;
          setStatus((s) => (s === "ready" ? s : "unknown"));
          const wait = describeError(e).retryAfterSeconds;
          timer = window.setTimeout(() => ask(attempt + 1), wait ? wait * 1000 : Math.min(1000 * 2 ** attempt, 30_000));
        },
      );
    };
    ask(0);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api]);

  const signedIn = useCallback(
    (c: Customer | undefined) => {
      setCustomer(c);
      setStatus("ready");
      // Roles are read from the session's verified token, which GetSession's call carries: ask again (the Operator entry).
      if (c) api.getSession({}).then((res) => res.customer?.customerId === c.customerId && setCustomer(res.customer), () => undefined);
    },
    [api],
  );

  const signOut = useCallback(async () => {
    await api.signOut({});
    setCustomer(undefined);
    // A fresh CSRF token for the signed-out browser.
    await api.getSession({}).catch(() => undefined);
  }, [api]);

  const value = useMemo(() => ({ status, customer, signedIn, signOut }), [status, customer, signedIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/**
 * For pages of a signed-in customer: sends a signed-out visitor to sign in
 * (coming back here afterwards). True once the customer is known.
 */
export function useRequireSignIn(): boolean {
  const { status, customer } = useSession();
  const location = useLocation();
  const signedOut = status === "ready" && !customer;
  useEffect(() => {
    if (signedOut) navigate(signInUrl(location.href), { replace: true });
  }, [signedOut, location.href]);
  return status === "ready" && !!customer;
}
