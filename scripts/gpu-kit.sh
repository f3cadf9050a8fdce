#!/usr/bin/env bash
# Builds .cache/gpu-kit/: what the GPU checks need on a bare GPU machine that has no Node.js and no
# network (docs/gpu-check.md), as one xz archive (the device call carries at most 64 MiB with the
# working tree): the WebGPU kernel benchmark bundled into one file; the sampled training benchmark
# (bench/index.ts, `train`) bundled with its worker threads; Dawn (npm 'webgpu', linux-x64 only); sharp
# with its libvips; our OpenSlide addon with the shared libraries it links (Debian's libopenslide and its
# dependencies, glibc and libstdc++ left to the host); this machine's node binary; and the Vulkan loader
# + glvnd libraries as Debian packages (the NVIDIA Vulkan driver needs them). .cache/ is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.cache/gpu-kit
stage=.cache/gpu-kit-stage
mkdir -p "$kit" "$stage"
rm -rf "$stage/node_modules" "$stage/bench.mjs" "$stage/app" "$stage/lib" "$kit/run.sh" "$kit/kit.tar.xz"

npx esbuild bench/train-webgpu.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$stage/bench.mjs" --external:webgpu --log-level=warning \
  --banner:js="import { createRequire as __hfRequire } from 'node:module'; const require = __hfRequire(import.meta.url);"

# The sampled training benchmark (issue 5's GPU check) with its worker threads as entries of one flat
# folder: the pools start their workers as siblings of the module that holds them (worker-url.ts), so
# every output sits beside every other. The wasm backend is not carried (auto picks webgpu on a GPU).
npx esbuild bench/index.ts src-main/core/sampling/patch-worker.ts src-main/core/tissue/mask-pool-worker.ts \
  src-main/core/training/trainer/trainer-worker.ts --bundle --splitting --platform=node --format=esm \
  --target=node20 --outdir="$stage/app" --entry-names='[name]' --chunk-names='chunk-[hash]' \
  --external:webgpu --external:sharp --external:@tensorflow/tfjs-backend-wasm \
  --external:tsx --external:ws --log-level=warning \
  --banner:js="import { createRequire as __hfRequire } from 'node:module'; const require = __hfRequire(import.meta.url);"
cp src-main/native/openslide/build/Release/openslide_binding.node "$stage/app/"
echo '{ "type": "module" }' > "$stage/app/package.json"

copy_package() { mkdir -p "$stage/node_modules/$1" && cp -r "node_modules/$1/." "$stage/node_modules/$1/"; }
mkdir -p "$stage/node_modules/webgpu/dist/linux-x64" "$stage/node_modules/@tensorflow/tfjs"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$stage/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/node_modules/webgpu/dist/linux-x64/"
for p in sharp @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 detect-libc semver; do copy_package "$p"; done
cp node_modules/@tensorflow/tfjs/package.json "$stage/node_modules/@tensorflow/tfjs/"

mkdir -p "$stage/lib"
ldd src-main/native/openslide/build/Release/openslide_binding.node | awk '$3 ~ /^\// {print $3}' \
  | grep -vE '/(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s)\.so' \
  | while read -r lib; do cp -L "$lib" "$stage/lib/"; done

cp "$(command -v node)" "$stage/node"
if [ ! -d "$stage/debs" ] || [ -z "$(ls "$stage/debs"/*.deb 2>/dev/null)" ]; then
  mkdir -p "$stage/debs"
  (cd "$stage/debs" && apt-get download -o APT::Sandbox::User=root \
    libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libopengl0 libgles2)
fi

echo "gpu-kit: compressing (xz -9, a minute or two)"
tar -C "$stage" -cf - node bench.mjs app node_modules lib debs | xz -T0 -9 > "$kit/kit.tar.xz"
cp scripts/gpu-kit-run.sh "$kit/run.sh"
chmod +x "$kit/run.sh"
du -sh "$kit"
echo "gpu-kit: ready. Device call: command 'bash .cache/gpu-kit/run.sh', carry ['.cache/gpu-kit']"
