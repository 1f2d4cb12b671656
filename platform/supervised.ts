// A process started by the supervisor (scripts/system.ts sets
// ITINERA_SUPERVISOR_PID) stops itself gracefully when the supervisor is gone
// — killed with SIGKILL, say, by a test runner's timeout — instead of living
// on as an orphan that holds its port. Node has no parent-death signal, so
// the parent's pid is checked once a second.
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
