// /signin?next=…: e-mail and password; afterwards back to where the visitor was.
import { useEffect, useState, type FormEvent } from "react";
import { useApi } from "../api/context.js";
import { describeError, type Problem } from "../api/errors.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { Field } from "../components/Field.js";
import { useTitle } from "../components/useTitle.js";
import { safeNext, signUpUrl } from "../lib/params.js";
import { Link, navigate, useLocation } from "../router.js";
import { useSession } from "../session.js";

export function SignInPage() {
  useTitle("Sign in");
  const api = useApi();
  const session = useSession();
  const location = useLocation();
  const next = safeNext(new URLSearchParams(location.search).get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);

  // Already signed in (or just signed in): go on.
  useEffect(() => {
    if (session.customer) navigate(next, { replace: true });
  }, [session.customer, next]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const res = await api.signIn({ email: email.trim(), password });
      session.signedIn(res.customer);
    } catch (err) {
      const p = describeError(err, "the sign-in service");
      setProblem(p);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth-page">
      <h1 tabIndex={-1}>Sign in</h1>
      {next !== "/" && <p className="lede">Sign in to continue.</p>}
      <form className="auth-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Sign in">
        <Field label="E-mail" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={problem?.fields.email} required />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={problem?.fields.password}
          required
        />
        <ErrorMessage problem={problem} />
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here? <Link href={signUpUrl(next)}>Create an account</Link>
      </p>
    </section>
  );
}
