#!/bin/sh
# The image's entry point (Containerfile): runs, from the production build in
# ./dist, the one process SERVICE names, with plain node (no TypeScript tooling):
#   SERVICE=booking (any services/<name>)     node dist/services/booking/main.js
#   SERVICE=skylark|casa|wanderly|gateway|smtp node dist/sandbox/main.js <name>
#   SERVICE=dead-letters                       node dist/scripts/dead-letters.js <arguments>
# Arguments after the image name go to the process. `exec`: node becomes PID 1
# and receives SIGTERM itself, so its drain (platform/shutdown.ts) runs.
set -eu
case "${SERVICE:-}" in
  "")
    echo "SERVICE is not set: give the process to run, e.g. SERVICE=booking (a service), SERVICE=skylark (a sandbox) or SERVICE=dead-letters" >&2
    exit 64 ;;
  *[!a-z-]*)
    echo "SERVICE=\"$SERVICE\" is not a process name (lower-case letters and dashes)" >&2
    exit 64 ;;
  skylark|casa|wanderly|gateway|smtp)
    exec node dist/sandbox/main.js "$SERVICE" "$@" ;;
  dead-letters)
    exec node dist/scripts/dead-letters.js "$@" ;;
esac
if [ ! -f "dist/services/$SERVICE/main.js" ]; then
  echo "SERVICE=$SERVICE: no dist/services/$SERVICE/main.js in this image; the services are: $(ls dist/services | tr '\n' ' ')" >&2
  exit 64
fi
exec node "dist/services/$SERVICE/main.js" "$@"
