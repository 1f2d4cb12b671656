// Calls and streams tied to a page's life: a new call when its inputs change,
// the old one aborted (so a slow answer never overwrites a newer one), errors
// turned into words, and a visitor whose session ended sent to sign in.
import { useCallback, useEffect, useState, type DependencyList } from "react";
import { signInUrl } from "../lib/params.js";
import { navigate } from "../router.js";
import { describeError, isAbort, isUnauthenticated, type Problem } from "./errors.js";

export interface CallState<T> {
  data: T | undefined;
  problem: Problem | undefined;
  loading: boolean;
  reload: () => void;
}

export interface CallOptions {
  /** Skip the call (inputs not ready yet). */
  enabled?: boolean;
  /** What the call is for, in words ("your trips"): "We could not reach your trips…". */
  what: string;
  /** On UNAUTHENTICATED, go to sign-in and come back here afterwards. */
  signInOnUnauthenticated?: boolean;
}

const here = () => window.location.pathname + window.location.search;

function handleFailure(e: unknown, options: CallOptions, setProblem: (p: Problem | undefined) => void): void {
  if (isAbort(e)) return;
  if (options.signInOnUnauthenticated && isUnauthenticated(e)) {
    navigate(signInUrl(here()), { replace: true });
    return;
  }
  setProblem(describeError(e, options.what));
}

export function useCall<T>(run: (signal: AbortSignal) => Promise<T>, deps: DependencyList, options: CallOptions): CallState<T> {
  const enabled = options.enabled ?? true;
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [loading, setLoading] = useState(enabled);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setProblem(undefined);
    run(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setLoading(false);
        handleFailure(e, options, setProblem);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the call depends on
  }, [...deps, enabled, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, problem, loading, reload };
}

export interface StreamState<T> {
  /** The last message: each one replaces the one before. */
  latest: T | undefined;
  /** The stream ended (normally or with a problem). */
  done: boolean;
  problem: Problem | undefined;
  restart: () => void;
}

export function useStream<T>(
  open: (signal: AbortSignal) => AsyncIterable<T>,
  deps: DependencyList,
  options: CallOptions,
): StreamState<T> {
  const enabled = options.enabled ?? true;
  const [latest, setLatest] = useState<T | undefined>(undefined);
  const [done, setDone] = useState(!enabled);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => {
    setLatest(undefined);
    setProblem(undefined);
    if (!enabled) {
      setDone(true);
      return;
    }
    setDone(false);
    const controller = new AbortController();
    void (async () => {
      try {
        for await (const message of open(controller.signal)) {
          if (controller.signal.aborted) return;
          setLatest(message);
        }
      } catch (e) {
        if (!controller.signal.aborted) handleFailure(e, options, setProblem);
      }
      if (!controller.signal.aborted) setDone(true);
    })();
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the stream depends on
  }, [...deps, enabled, round]);
  const restart = useCallback(() => setRound((r) => r + 1), []);
  return { latest, done, problem, restart };
}
