// The Operator page's dead letters: every consuming process's, oldest failure
// first, each with Replay and Discard behind a confirmation; the result (or
// the refusal, in words) is announced, and the list read again.
import { useState } from "react";
import type { OperatorDeadLetter } from "../../../gen/itinera/web/v1/web_pb.js";
import { useApi } from "../api/context.js";
import { describeError, type Problem } from "../api/errors.js";
import { useCall } from "../api/hooks.js";
import { Dialog } from "../components/Dialog.js";
import { ErrorMessage } from "../components/ErrorMessage.js";

type Action = "replay" | "discard";
const when = (t: { seconds: bigint } | undefined) =>
  t ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium" }).format(new Date(Number(t.seconds) * 1000)) : "";
const nameOf = (d: OperatorDeadLetter) => `message ${d.deadLetter?.messageId ?? ""} of ${d.deadLetter?.group ?? ""} (${d.process})`;

export function OperatorDeadLetters() {
  const api = useApi();
  const list = useCall((signal) => api.listOperatorDeadLetters({}, { signal }), [api], { what: "the dead letters", signInOnUnauthenticated: true });
  const [pending, setPending] = useState<{ action: Action; letter: OperatorDeadLetter } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [done, setDone] = useState("");

  const run = async () => {
    if (!pending?.letter.deadLetter) return;
    const { action, letter } = pending;
    const req = { process: letter.process, group: letter.deadLetter!.group, messageId: letter.deadLetter!.messageId };
    setBusy(true);
    setProblem(undefined);
    try {
      await (action === "replay" ? api.replayOperatorDeadLetter(req) : api.discardOperatorDeadLetter(req));
      setDone(`${action === "replay" ? "Replayed" : "Discarded"} ${nameOf(letter)}.`);
      setPending(undefined);
      list.reload();
    } catch (e) {
      setProblem(describeError(e, "the dead letters"));
    } finally {
      setBusy(false);
    }
  };

  const letters = list.data?.deadLetters ?? [];
  return (
    <>
      <h2>Dead letters</h2>
      <p className="lede">Events a consumer gave up on after its last attempt. Replay delivers one again to its group; Discard forgets it.</p>
      <div className="toolbar">
        <button type="button" className="secondary small" onClick={list.reload} disabled={list.loading} data-testid="dead-letters-refresh">
          Refresh
        </button>
      </div>
      <p role="status" data-testid="dead-letter-result">
        {done}
      </p>
      <ErrorMessage problem={list.problem} onRetry={list.reload} />
      {list.data && list.data.unreachable.length > 0 && (
        <p className="error" role="alert">
          Not shown: the dead letters of {list.data.unreachable.join(", ")}, which did not answer. Try again in a moment.
        </p>
      )}
      {list.data && letters.length === 0 && <p className="empty">No dead letters.</p>}
      {letters.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Dead letters">
          <table className="history" data-testid="dead-letters-table">
            <thead>
              <tr>
                <th scope="col">Failed</th>
                <th scope="col">Where</th>
                <th scope="col">Topic and key</th>
                <th scope="col">Attempts and last error</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((d) => (
                <tr key={`${d.process}/${d.deadLetter?.group}/${d.deadLetter?.messageId}`} data-testid="dead-letter-row" data-topic={d.deadLetter?.topic}>
                  <td data-label="Failed">{when(d.deadLetter?.failTime)}</td>
                  <td data-label="Where">
                    {d.deadLetter?.group} ({d.process}), message {d.deadLetter?.messageId.toString()}
                  </td>
                  <td data-label="Topic and key">
                    {d.deadLetter?.topic} — {d.deadLetter?.key}
                  </td>
                  <td data-label="Attempts and last error">
                    {d.deadLetter?.attempts} attempts: {d.deadLetter?.lastError}
                  </td>
                  <td data-label="Actions">
                    <button type="button" className="small" onClick={() => setPending({ action: "replay", letter: d })} data-testid="dead-letter-replay">
                      Replay
                    </button>{" "}
                    <button type="button" className="secondary small" onClick={() => setPending({ action: "discard", letter: d })} data-testid="dead-letter-discard">
                      Discard
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog
        title={pending?.action === "discard" ? "Discard this dead letter?" : "Replay this dead letter?"}
        open={!!pending}
        onClose={() => {
          setPending(undefined);
          setProblem(undefined);
        }}
        testId="dead-letter-dialog"
      >
        {pending && (
          <p className="dialog-subject">
            {pending.action === "discard"
              ? `Discarding ${nameOf(pending.letter)} means it is never delivered to its group again.`
              : `Replaying ${nameOf(pending.letter)} delivers it again to its group, with a fresh count of attempts.`}
          </p>
        )}
        <ErrorMessage problem={problem} />
        <div className="dialog-actions">
          <button type="button" className="secondary" data-autofocus onClick={() => setPending(undefined)} disabled={busy}>
            Keep it
          </button>
          <button type="button" onClick={() => void run()} disabled={busy} data-testid="dead-letter-confirm">
            {pending?.action === "discard" ? "Discard" : "Replay"}
          </button>
        </div>
      </Dialog>
    </>
  );
}
