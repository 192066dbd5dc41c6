#!/usr/bin/env bash
# The project's test command (see README.md): formatting, vet, and every
# test under the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l . | grep -v '^vendor/' || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
# The differential tests run the real tough-cookie 4.1.3 under Node.
if [ ! -d internal/nodecompat/node/node_modules/tough-cookie ]; then
  npm ci --prefix internal/nodecompat/node --no-audit --no-fund --loglevel=error
fi
go test -race -count=1 -timeout 25m ./...
