#!/usr/bin/env bash
# Installs everything histo-fetch workbench needs on Debian 12 / Ubuntu: system packages (OpenSlide,
# libvips tools, libtiff tools (tiffdump checks the TIFFs translation writes), Chromium for the browser
# tests, Python reference tools for the mask golden test), the npm packages, and our native OpenSlide
# binding. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_node_major=20
if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js >= 20.19 is required (with npm); install it first." >&2
  exit 1
fi
node -e "const [a,b]=process.versions.node.split('.').map(Number); process.exit(a>${need_node_major}||(a===${need_node_major}&&b>=19)?0:1)" || {
  echo "setup: Node.js >= 20.19 is required; found $(node --version)." >&2
  exit 1
}

# SETUP_DRY_RUN=1: print the apt packages this machine would get (no update, no install) and stop.
dry_run=${SETUP_DRY_RUN:-}

export DEBIAN_FRONTEND=noninteractive
if [ -z "$dry_run" ]; then $SUDO apt-get update -q; fi

packages=(
  build-essential python3 pkg-config
  libopenslide-dev openslide-tools libvips-tools libtiff-tools
  python3-opencv python3-pil python3-numpy python3-openslide
)
# The browser tests drive Debian's chromium (/usr/bin/chromium). Ubuntu has no such package: its
# chromium / chromium-browser are transitional packages that install the snap, which these tests cannot
# drive; there the browser tests skip.
# (Captured first: with pipefail, grep -q closing the pipe early would fail the pipeline.)
chromium_policy=$(apt-cache policy chromium 2>/dev/null || true)
chromium_depends=$(apt-cache depends chromium 2>/dev/null || true)
if grep -q '^ *Candidate: [0-9]' <<<"$chromium_policy" && ! grep -q 'Depends: snapd' <<<"$chromium_depends"; then
  packages+=(chromium)
else
  echo "setup: no apt package 'chromium' other than a snap shim here; skipping it, the browser (e2e) tests will skip." >&2
fi
if [ -n "$dry_run" ]; then
  echo "${packages[*]}"
  exit 0
fi
$SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"

# Software Vulkan (Mesa 25 lavapipe) so the WebGPU training tests run without a GPU.
./scripts/setup-lavapipe.sh

npm ci --no-audit --no-fund
npm run build:native
# The compiled service (dist/, run by the Electron app's utility process) and the renderer (out/, served
# by `histo-fetch serve` and loaded by the Electron window).
npm run build:app
