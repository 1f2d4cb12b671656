// Test support for supervised.test.ts, run as two processes:
//   parent: spawns this file as `child` with ITINERA_SUPERVISOR_PID set to its own pid, prints the child's pid, then waits;
//   child:  stopWhenSupervisorExits, and on SIGTERM prints "stopping" and exits 0.
import { spawn } from "node:child_process";
import { stopWhenSupervisorExits } from "./supervised.js";

const self = new URL(import.meta.url).pathname;
if (process.argv[2] === "parent") {
  const child = spawn(process.execPath, ["--import", "tsx", self, "child"], {
    env: { ...process.env, ITINERA_SUPERVISOR_PID: String(process.pid) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  process.stdout.write(`child ${child.pid}\n`);
  setInterval(() => {}, 1000);
} else {
  stopWhenSupervisorExits(process.env, 100);
  process.on("SIGTERM", () => {
    process.stdout.write("stopping\n");
    process.exit(0);
  });
  process.stdout.write("child ready\n");
  setInterval(() => {}, 1000);
}
