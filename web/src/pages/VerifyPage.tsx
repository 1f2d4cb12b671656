// /verify?token=…: the link of the sign-up e-mail. Follows it once (VerifyEmail
// confirms the address and signs in), then goes home without the token in
// the address bar; a link that is used or expired says what to do instead.
import { useEffect, useRef, useState } from "react";
import { Code } from "@connectrpc/connect";
import { useApi } from "../api/context.js";
import { describeError, type Problem } from "../api/errors.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { useTitle } from "../components/useTitle.js";
import { Link, navigate, useLocation } from "../router.js";
import { useSession } from "../session.js";

export function VerifyPage() {
  useTitle("Confirming your address");
  const api = useApi();
  const session = useSession();
  const location = useLocation();
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  // The link works once: follow it once, even if the effect runs again.
  const followed = useRef(false);

  useEffect(() => {
    if (followed.current) return;
    followed.current = true;
    const token = new URLSearchParams(location.search).get("token") ?? "";
    api.verifyEmail({ token }).then(
      (res) => {
        session.signedIn(res.customer);
        navigate("/", { replace: true });
      },
      (e: unknown) => {
        const p = describeError(e, "Itinera");
        setProblem(
          p.code === Code.Unauthenticated || p.code === Code.InvalidArgument
            ? { ...p, message: "This link is used up or has expired. If you already confirmed your address, sign in; otherwise sign up again for a new link." }
            : p,
        );
      },
    );
  }, [api, session, location.search]);

  return (
    <section className="auth-page">
      <h1 tabIndex={-1}>Confirming your address</h1>
      {problem ? (
        <>
          <ErrorMessage problem={problem} />
          <p>
            <Link href="/signin">Sign in</Link> · <Link href="/signup">Create an account</Link>
          </p>
        </>
      ) : (
        <p className="status" role="status">
          <span className="spinner" aria-hidden="true" /> Confirming…
        </p>
      )}
    </section>
  );
}
