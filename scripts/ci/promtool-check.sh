#!/usr/bin/env bash
# Checks the chart's Prometheus rules: `promtool check rules` (syntax, PromQL, templates) and
# `promtool test rules` (the unit tests in helm/gy-ocs/alerts/tests/, alerts fired or not on
# given series). promtool comes from $PROMTOOL, the PATH, or Debian's `prometheus` package:
# the .deb is downloaded and only its promtool binary extracted into a cache, so no Prometheus
# service is installed or started.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gy-ocs/promtool"

find_promtool() {
  if [[ -n "${PROMTOOL:-}" ]]; then echo "$PROMTOOL"; return; fi
  if command -v promtool >/dev/null 2>&1; then command -v promtool; return; fi
  if [[ -x "$cache/usr/bin/promtool" ]]; then echo "$cache/usr/bin/promtool"; return; fi
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "promtool-check: no promtool; install Prometheus's promtool or set PROMTOOL=/path/to/promtool" >&2
    exit 1
  fi
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  echo "promtool-check: fetching promtool from Debian's prometheus package" >&2
  if ! (cd "$work" && apt-get download prometheus >/dev/null 2>&1); then
    if [[ "$(id -u)" != 0 ]]; then
      echo "promtool-check: apt-get download prometheus failed; run apt-get update, or set PROMTOOL" >&2
      exit 1
    fi
    apt-get update -qq >/dev/null
    (cd "$work" && apt-get download prometheus >/dev/null)
  fi
  mkdir -p "$cache"
  dpkg-deb -x "$work"/prometheus_*.deb "$work/x"
  install -D -m 0755 "$work/x/usr/bin/promtool" "$cache/usr/bin/promtool"
  echo "$cache/usr/bin/promtool"
}

promtool="$(find_promtool)"
"$promtool" --version | head -n 1
cd "$root"
"$promtool" check rules helm/gy-ocs/alerts/*.yaml
"$promtool" test rules helm/gy-ocs/alerts/tests/*.yaml
