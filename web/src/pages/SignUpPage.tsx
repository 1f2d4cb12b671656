// /signup?next=…: a new account, errors next to their fields. The answer is
// the same whether or not the address has an account, so the page always
// says "check your e-mail": the link in it (/verify) finishes and signs in.
import { useEffect, useState, type FormEvent } from "react";
import { Code } from "@connectrpc/connect";
import { useApi } from "../api/context.js";
import { describeError, type Problem } from "../api/errors.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { Field } from "../components/Field.js";
import { useTitle } from "../components/useTitle.js";
import { safeNext, signInUrl } from "../lib/params.js";
import { Link, navigate, useLocation } from "../router.js";
import { useSession } from "../session.js";

/** The contract's rule (SignUpRequest.password), checked here first to save a round trip. */
const MIN_PASSWORD = 10;

export function SignUpPage() {
  useTitle("Create an account");
  const api = useApi();
  const session = useSession();
  const location = useLocation();
  const next = safeNext(new URLSearchParams(location.search).get("next"));
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [sentTo, setSentTo] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (session.customer) navigate(next, { replace: true });
  }, [session.customer, next]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const fields: Record<string, string> = {};
    if (!name.trim()) fields.display_name = "Tell us how to address you.";
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) fields.email = "Type an e-mail address, like ana@example.com.";
    if (password.length < MIN_PASSWORD) fields.password = `The password needs at least ${MIN_PASSWORD} characters.`;
    if (Object.keys(fields).length > 0) {
      setProblem({ code: Code.InvalidArgument, message: "Please correct the highlighted fields.", fields, retryAfterSeconds: undefined });
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      await api.signUp({ email: email.trim(), password, displayName: name.trim() });
      setSentTo(email.trim());
      setPassword("");
    } catch (err) {
      setProblem(describeError(err, "the sign-up service"));
    } finally {
      setBusy(false);
    }
  };

  if (sentTo !== undefined) {
    return (
      <section className="auth-page" data-testid="check-email">
        <h1 tabIndex={-1}>Check your e-mail</h1>
        <p className="lede" role="status">
          We sent an e-mail to <strong>{sentTo}</strong>. Open the link in it to finish creating your account: it signs you in.
        </p>
        <p>
          Nothing there after a few minutes? Look in your spam folder, or <Link href={signInUrl(next)}>sign in</Link> if you already have an
          account.
        </p>
      </section>
    );
  }

  return (
    <section className="auth-page">
      <h1 tabIndex={-1}>Create an account</h1>
      <form className="auth-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Create an account">
        <Field label="Your name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={problem?.fields.display_name} required />
        <Field label="E-mail" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={problem?.fields.email} required />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD} characters.`}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={problem?.fields.password}
          required
        />
        <ErrorMessage problem={problem} />
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <Link href={signInUrl(next)}>Sign in</Link>
      </p>
    </section>
  );
}
