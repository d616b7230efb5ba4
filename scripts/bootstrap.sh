#!/usr/bin/env bash
# Installs what kickmon needs on a fresh Debian 12 machine with Node and npm:
# PostgreSQL, nats-server and Chromium from Debian's packages, Bun from npm, then node_modules.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.4
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
# Test-only tools: tmux drives `kickmon watch` on a real terminal; systemd-analyze checks the units;
# Caddy is the TLS proxy the reverse-proxy test puts in front of the gateway (deploy/caddy/).
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# Test-only: a real SMTP server for the notifier's email channel.
[ -x /usr/bin/aiosmtpd ] || need+=(python3-aiosmtpd)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "bootstrap: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  echo "bootstrap: installing ${need[*]} from Debian's packages…" >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v bun >/dev/null 2>&1 || [ "$(bun --version 2>/dev/null)" != "$BUN_VERSION" ]; then
  echo "bootstrap: installing Bun $BUN_VERSION from npm…" >&2
  npm install -g --silent "bun@$BUN_VERSION" >/dev/null 2>&1 || npm install -g "bun@$BUN_VERSION"
  hash -r
fi

# Reinstall node_modules only when the lockfile changed since the last install.
if [ ! -f node_modules/.kickmon-installed ] || [ bun.lock -nt node_modules/.kickmon-installed ]; then
  echo "bootstrap: bun install…" >&2
  bun install --frozen-lockfile >/dev/null
  touch node_modules/.kickmon-installed
fi
