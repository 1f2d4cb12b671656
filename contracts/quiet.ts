// Pact without the network: its native core reports usage to Google
// Analytics on every verification unless PACT_DO_NOT_TRACK is set (seen here
// as DNS lookups under strace; none with it set), and pact-core adds a Pact
// Broker as a pact source whenever PACT_BROKER_BASE_URL is in the
// environment. Contracts here are the committed files and nothing else:
// every entry point calls this before Pact's core runs.
export function quietPactCore(): void {
  process.env.PACT_DO_NOT_TRACK = "true";
  delete process.env.PACT_BROKER_BASE_URL;
}
