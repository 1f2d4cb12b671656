// A problem in words, announced to screen readers (role="alert"), with a
// retry button when trying again can help.
import type { Problem } from "../api/errors.js";

export function ErrorMessage({ problem, onRetry }: { problem: Problem | undefined; onRetry?: () => void }) {
  if (!problem) return null;
  return (
    <div className="error" role="alert" data-testid="error">
      <p>{problem.message}</p>
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
