#!/usr/bin/env bash
# Compiles each service and the CLI into one self-contained binary apiece (the Bun runtime
# inside): <outdir>/{poller,auth,gateway,notifier,kick-sim,kickmon}. deploy/Dockerfile runs this, and
# tests/ops/image.test.ts runs the same to check the image layout.
#   KICKMON_TARGET=bun-linux-x64-baseline deploy/build-binaries.sh out/   for CPUs without AVX2
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: deploy/build-binaries.sh <outdir>}"
mkdir -p "$out"
# Whitespace and syntax only: full --minify renames functions, which spoils stack traces.
flags=(--compile --minify-whitespace --minify-syntax --target "${KICKMON_TARGET:-bun}")
for s in poller auth gateway notifier kick-sim; do
  bun build "${flags[@]}" "services/$s/src/main.ts" --outfile "$out/$s" >/dev/null
done
KICKMON_TARGET="${KICKMON_TARGET:-bun}" bash scripts/build-cli.sh "$out/kickmon" >/dev/null
ls -1 "$out"
