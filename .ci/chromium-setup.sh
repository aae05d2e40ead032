#!/usr/bin/env bash
# Installs Debian's chromium for the console's headless-browser test (idempotent, ~20 s).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  apt-get install -y --no-install-recommends chromium >/dev/null
fi
