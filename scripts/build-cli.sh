#!/usr/bin/env bash
# Builds the `kickmon` CLI as one self-contained binary (Bun runtime, code and migrations inside).
# Usage: scripts/build-cli.sh [outfile]   (default dist/kickmon)
#   KICKMON_TARGET=bun-linux-x64-baseline scripts/build-cli.sh   for CPUs without AVX2
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist/kickmon}"
mkdir -p "$(dirname "$out")"
# The sql/*.sql files ride along as embedded files (Bun.embeddedFiles) so `kickmon db migrate`
# needs nothing next to the binary; --asset-naming keeps their names as they are.
bun build --compile --minify-whitespace --minify-syntax --target "${KICKMON_TARGET:-bun}" \
  --asset-naming='[name].[ext]' cli/src/main.ts sql/*.sql --outfile "$out" >/dev/null
echo "built $out ($(du -h "$out" | cut -f1))"
