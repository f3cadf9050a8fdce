#!/usr/bin/env bash
# Builds .cache/gpu-kit/: what the WebGPU training benchmark needs on a bare GPU machine that has no
# Node.js and no network (docs/gpu-check.md): the benchmark bundled into one file, Dawn (npm 'webgpu',
# linux-x64 only), this machine's node binary (xz), and the Vulkan loader + glvnd libraries as Debian
# packages (the NVIDIA Vulkan driver needs them). About 45 MB; .cache/ is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.cache/gpu-kit
mkdir -p "$kit"
rm -rf "$kit/node_modules" "$kit/bench.mjs" "$kit/run.sh"

npx esbuild bench/train-webgpu.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$kit/bench.mjs" --external:webgpu --log-level=warning \
  --banner:js="import { createRequire as __hfRequire } from 'node:module'; const require = __hfRequire(import.meta.url);"

mkdir -p "$kit/node_modules/webgpu/dist/linux-x64"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$kit/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$kit/node_modules/webgpu/dist/linux-x64/"

node_version=$(node --version)
if [ ! -f "$kit/node.xz" ] || [ "$(cat "$kit/node.version" 2>/dev/null)" != "$node_version" ]; then
  echo "gpu-kit: compressing $(command -v node) ($node_version)"
  xz -T0 -6 -c "$(command -v node)" > "$kit/node.xz"
  echo "$node_version" > "$kit/node.version"
fi

if [ ! -d "$kit/debs" ] || [ -z "$(ls "$kit/debs"/*.deb 2>/dev/null)" ]; then
  mkdir -p "$kit/debs"
  (cd "$kit/debs" && apt-get download -o APT::Sandbox::User=root \
    libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libopengl0 libgles2)
fi

cp scripts/gpu-kit-run.sh "$kit/run.sh"
chmod +x "$kit/run.sh"
du -sh "$kit"
echo "gpu-kit: ready. Device call: command 'bash .cache/gpu-kit/run.sh', carry ['.cache/gpu-kit']"
