// Supervision, both sides. The supervisor's: how long to wait before
// restarting what died (nextRestart: services and the embedded PostgreSQL
// alike). The child's: a process started by the supervisor
// (scripts/system.ts sets ITINERA_SUPERVISOR_PID) stops itself gracefully
// when the supervisor is gone — killed with SIGKILL, say, by a test runner's
// timeout — instead of living on as an orphan that holds its port. Node has
// no parent-death signal, so the parent's pid is checked once a second.
export function stopWhenSupervisorExits(env: NodeJS.ProcessEnv, checkMs = 1000): void {
  const supervisor = Number(env.ITINERA_SUPERVISOR_PID);
  if (!Number.isInteger(supervisor) || supervisor <= 0) return;
  const timer = setInterval(() => {
    if (process.ppid === supervisor) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  }, checkMs);
  timer.unref();
}

/** Waits between a process's exit and its restart, growing while it keeps dying soon after each start. */
const RESTART_BACKOFF_MS = [500, 1000, 2000, 5000, 10000];
/** A process that stayed up this long starts its backoff afresh. */
const STABLE_AFTER_MS = 60_000;

/**
 * The next restart of a process that exited after `upMs` of life, its
 * `restarts`-th in a row: how long to wait, and the count to pass next time.
 */
export function nextRestart(restarts: number, upMs: number): { delayMs: number; restarts: number } {
  const n = upMs > STABLE_AFTER_MS ? 0 : restarts;
  return { delayMs: RESTART_BACKOFF_MS[Math.min(n, RESTART_BACKOFF_MS.length - 1)]!, restarts: n + 1 };
}
