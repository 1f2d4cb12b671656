// uvu's API as the test files use it — suite(name, state), test(name, fn),
// test.before/after(.each), test.only, test.skip, test.run() — with the loop
// owned by the runner: scripts/test/child.ts maps the bare specifier "uvu" to
// this module ("uvu/assert" stays uvu's own), so run() only queues the suite
// and child.ts runs the queue once the file's module code has finished.
// Same meaning as uvu: run() takes the tests and hooks registered so far and
// starts the suite afresh with the same state; handlers and hooks receive the
// state with __suite__ and __test__ set.
// A file run directly (node --import tsx file.test.ts) still gets the real uvu.

export type State = Record<string, any>;
export type Callback = (state: State) => unknown;

export interface Entry {
  name: string;
  handler?: Callback;
  /** Registered with test.only: a failure wherever it is (it would hide the other tests). */
  only?: boolean;
  /** Registered with test.skip: fine only with a reason in its name (see run-suite.ts). */
  skip?: boolean;
}

export interface QueuedSuite {
  name: string;
  state: State;
  tests: Entry[];
  before: Callback[];
  after: Callback[];
  beforeEach: Callback[];
  afterEach: Callback[];
}

const queue: QueuedSuite[] = [];
/** Suites holding tests that no run() has queued yet. */
const unqueued = new Set<QueuedSuite>();

/** The next suite a run() queued, in the order of the run() calls. */
export function nextQueued(): QueuedSuite | undefined {
  return queue.shift();
}

/** Suites with tests registered and never run(): their tests would silently not count. */
export function neverRun(): QueuedSuite[] {
  return [...unqueued];
}

function empty(name: string, state: State): QueuedSuite {
  return { name, state, tests: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

export function suite(name = "", state: State = {}) {
  let current = empty(name, state);
  const register =
    (kind: Partial<Entry>) =>
    (testName = "", handler?: Callback) => {
      current.tests.push({ name: testName, ...(handler ? { handler } : {}), ...kind });
      unqueued.add(current);
    };
  const hook = (key: "before" | "after" | "beforeEach" | "afterEach") => (fn: Callback) => void current[key].push(fn);
  return Object.assign(register({}), {
    only: register({ only: true }),
    skip: register({ skip: true }),
    before: Object.assign(hook("before"), { each: hook("beforeEach") }),
    after: Object.assign(hook("after"), { each: hook("afterEach") }),
    run() {
      queue.push(current);
      unqueued.delete(current);
      current = empty(name, state);
    },
  });
}

export const test = suite();
