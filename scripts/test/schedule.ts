// Which test file a free worker takes next: the first in the queue, except
// that a file marked with a line `// test-heavy` (it runs a whole system of
// many processes: the cluster, the crash tests, the browser's marketplace)
// waits while another heavy file runs. Two or three of them at once on two
// cores starve each other's processes past their readiness deadlines, as
// three alphabetically adjacent heavy files did in one CI run.
export const HEAVY_MARK = /^\/\/ test-heavy$/m;

/** The index in `queue` of the file to run next; -1 when every file left must wait for a heavy one to end. */
export function nextIndex(queue: readonly string[], isHeavy: (file: string) => boolean, heavyRunning: boolean): number {
  return heavyRunning ? queue.findIndex((f) => !isHeavy(f)) : queue.length > 0 ? 0 : -1;
}
