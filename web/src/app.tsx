// The frame of every page (header with the customer, main, footer) and the
// page for the current path. On navigation focus moves to the new page's
// heading, so keyboard and screen-reader users start at the top of it.
import { useEffect, useRef, useState } from "react";
import { describeError, type Problem } from "./api/errors.js";
import { routeOf, signInUrl } from "./lib/params.js";
import { FlightsPage } from "./pages/FlightsPage.js";
import { HomePage } from "./pages/HomePage.js";
import { HotelPage } from "./pages/HotelPage.js";
import { HotelsPage } from "./pages/HotelsPage.js";
import { NotFoundPage } from "./pages/NotFoundPage.js";
import { OperatorPage } from "./pages/OperatorPage.js";
import { SignInPage } from "./pages/SignInPage.js";
import { SignUpPage } from "./pages/SignUpPage.js";
import { TripReturnPage } from "./pages/TripReturnPage.js";
import { TripsPage } from "./pages/TripsPage.js";
import { VerifyPage } from "./pages/VerifyPage.js";
import { WalletPage } from "./pages/WalletPage.js";
import { Link, navigate, useLocation } from "./router.js";
import { useSession } from "./session.js";

function Page() {
  const { pathname } = useLocation();
  const route = routeOf(pathname);
  switch (route.page) {
    case "home":
      return <HomePage />;
    case "hotels":
      return <HotelsPage />;
    case "hotel":
      return <HotelPage key={route.hotelId} hotelId={route.hotelId} />;
    case "flights":
      return <FlightsPage />;
    case "trip-return":
      return <TripReturnPage />;
    case "trips":
      return <TripsPage />;
    case "wallet":
      return <WalletPage />;
    case "operator":
      return <OperatorPage />;
    case "signin":
      return <SignInPage />;
    case "signup":
      return <SignUpPage />;
    case "verify":
      return <VerifyPage />;
    case "not-found":
      return <NotFoundPage />;
  }
}

function NavLink({ href, children }: { href: string; children: string }) {
  const { pathname } = useLocation();
  const current = pathname === href || (href !== "/" && pathname.startsWith(`${href}/`));
  return (
    <Link href={href} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}

function Header() {
  const session = useSession();
  const location = useLocation();
  const [signingOut, setSigningOut] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const signOut = async () => {
    setSigningOut(true);
    setProblem(undefined);
    try {
      await session.signOut();
      navigate("/");
    } catch (e) {
      setProblem(describeError(e, "Itinera"));
    } finally {
      setSigningOut(false);
    }
  };
  const onAuthPage = location.pathname === "/signin" || location.pathname === "/signup";
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        Itinera
      </Link>
      <nav aria-label="Main">
        <NavLink href="/">Search</NavLink>
        <NavLink href="/trips">My trips</NavLink>
        <NavLink href="/wallet">Wallet</NavLink>
        {session.customer?.operator && <NavLink href="/operator">Operator</NavLink>}
      </nav>
      <div className="account" aria-live="polite">
        {session.status !== "ready" ? null : session.customer ? (
          <>
            <span className="customer-name" data-testid="customer-name">
              {session.customer.displayName}
            </span>
            <button type="button" className="link" onClick={() => void signOut()} disabled={signingOut}>
              Sign out
            </button>
            {problem && (
              <span className="header-error" role="alert">
                {problem.message}
              </span>
            )}
          </>
        ) : (
          <>
            <Link href={onAuthPage ? "/signin" : signInUrl(location.href)}>Sign in</Link>
            <Link href="/signup" className="button secondary small">
              Create account
            </Link>
          </>
        )}
      </div>
    </header>
  );
}

export function App() {
  const { pathname } = useLocation();
  const session = useSession();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        {/* Pages call the BFF only once GetSession has answered: its CSRF token
            (and cookie) must exist before the first call that carries it. */}
        {session.status === "unknown" && (
          <p className="error" role="alert">
            We could not reach Itinera to check who is signed in. Trying again…
          </p>
        )}
        {session.status !== "loading" ? (
          <Page />
        ) : (
          <p className="status" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </p>
        )}
      </main>
      <footer className="site-footer">
        <p>Itinera — a marketplace of many sellers. Prices include your wallet discount when you are signed in.</p>
      </footer>
    </>
  );
}
