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

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  build-essential python3 pkg-config \
  libopenslide-dev openslide-tools libvips-tools libtiff-tools \
  python3-opencv python3-pil python3-numpy python3-openslide \
  chromium

# Software Vulkan (Mesa 25 lavapipe) so the WebGPU training tests run without a GPU.
./scripts/setup-lavapipe.sh

npm ci --no-audit --no-fund
npm run build:native
# The compiled service (dist/, run by the Electron app's utility process) and the renderer (out/, served
# by `histo-fetch serve` and loaded by the Electron window).
npm run build:app
