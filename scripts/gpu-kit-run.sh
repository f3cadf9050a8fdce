#!/usr/bin/env bash
# Runs the GPU checks from the kit scripts/gpu-kit.sh built (copied there as run.sh), from the
# repository root (the sample slides travel with the working tree). On the GPU machine: unpacks the kit
# (node, the bundles, the libraries, the Vulkan loader), finds the NVIDIA Vulkan ICD, checks that the
# addon and the adapter load, then runs the parts, most important first, each in its own process under
# its own limit, none started after DEADLINE seconds (default 430):
#   train-cyclegan, train-progan64, train-progan256: issue 5's check, the sampled training benchmark
#     with --backend auto (20 timed steps fed by the patch sampler from the slides of SLIDES_A and
#     SLIDES_B, default the README's sample slides);
#   cyclegan, progan, conv: issue 8's kernel benchmark (our kernels vs stock TF.js WebGPU).
# Figures go to $OUT (or /tmp/gpu-kit-out): <part>.json and <part>.log per part, the summary lines in
# webgpu-bench.log. PARTS selects the parts, <PART>_LIMIT the seconds each may take (part names upper-
# cased, '-' as '_'). Locally, SMOKE=1 with VK_ICD_FILENAMES set to lavapipe runs the tiny presets.
set -uo pipefail
kit=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$kit/../.." && pwd)
out=${OUT:-/tmp/gpu-kit-out}
work=$(mktemp -d)
mkdir -p "$out"
start=$SECONDS

if command -v xz >/dev/null; then
  xz -dc "$kit/kit.tar.xz" | tar -C "$work" -xf -
else
  python3 -c 'import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$kit/kit.tar.xz" "$work"
fi
chmod +x "$work/node"

if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  mkdir -p "$work/root"
  for f in "$work"/debs/*.deb; do dpkg -x "$f" "$work/root"; done
  export LD_LIBRARY_PATH="$work/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_ICD_FILENAMES="$f"; break; fi
  done
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/xdg}
mkdir -p "$XDG_RUNTIME_DIR"
echo "node $("$work/node" --version); ICD ${VK_ICD_FILENAMES:-${VK_DRIVER_FILES:-system}}" | tee "$out/webgpu-bench.log"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee -a "$out/webgpu-bench.log"

# The addon's libraries (Debian's libopenslide and its dependencies) only for the training parts.
app_env=(env "LD_LIBRARY_PATH=$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  "HISTO_FETCH_OPENSLIDE_ADDON=$work/app/openslide_binding.node")
echo "== sanity ($((SECONDS - start))s)" | tee -a "$out/webgpu-bench.log"
(cd "$work" && "${app_env[@]}" timeout 60 ./node --input-type=module -e "
  import { createRequire } from 'node:module';
  const addon = createRequire(import.meta.url)(process.env.HISTO_FETCH_OPENSLIDE_ADDON);
  console.log('openslide addon:', Object.keys(addon).length, 'exports');
  const sharp = (await import('sharp')).default;
  console.log('sharp:', JSON.stringify(sharp.versions));
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const info = adapter ? (adapter.info ?? {}) : null;
  console.log('webgpu adapter:', info ? JSON.stringify({ vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description }) : 'none');
  process.exit(adapter ? 0 : 3);
") 2>&1 | tee -a "$out/webgpu-bench.log"
if [ "${PIPESTATUS[0]}" != 0 ]; then
  # Nothing below is worth device time without the addon or an adapter: say what the machine has.
  echo "== sanity failed; Vulkan ICDs:" | tee -a "$out/webgpu-bench.log"
  ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>&1 | tee -a "$out/webgpu-bench.log"
  ldconfig -p | grep -E 'vulkan|GLX_nvidia' | tee -a "$out/webgpu-bench.log"
  exit 3
fi

# One process per part: TF.js's buffer pool only grows, so models are not mixed in one process, and a
# part that overruns its limit loses only itself. Most important first.
preset=${PRESET:-paper}
train_preset=paper progan_sizes=(64 256)
kernel_extra=() train_extra=()
if [ "${SMOKE:-0}" = 1 ]; then
  preset=tiny train_preset=tiny progan_sizes=(8 16)
  kernel_extra=(--allow-software --conv-min-ms 10 --conv-max-reps 2)
fi
# SLIDES_A / SLIDES_B: the domains' slide folders (default: the README's sample slides).
slides_a=$(cd "${SLIDES_A:-$repo/resources/sample-slides/HE}" && pwd)
slides_b=$(cd "${SLIDES_B:-$repo/resources/sample-slides/fluorescence}" && pwd)
slides=(--slides "A=$slides_a" --slides "B=$slides_b")
deadline=${DEADLINE:-430}
status=0
log_part() { tee "$out/$1.log" | grep -v '^ ' | tee -a "$out/webgpu-bench.log"; }
part_ended() {
  [ "$2" = 0 ] || { echo "== $1 ended with status $2" | tee -a "$out/webgpu-bench.log"; status=$2; }
}
kernel_part() {
  local name=$1 limit=$2
  shift 2
  echo "== $name (limit ${limit}s, at $((SECONDS - start))s)" | tee -a "$out/webgpu-bench.log"
  (cd "$work" && timeout "$limit" ./node bench.mjs --preset "$preset" "${kernel_extra[@]}" "$@" \
    --json "$out/$name.json") 2>&1 | grep -v 'artificially reduced' | log_part "$name"
  part_ended "$name" "${PIPESTATUS[0]}"
}
train_part() {
  local name=$1 limit=$2
  shift 2
  echo "== $name (limit ${limit}s, at $((SECONDS - start))s)" | tee -a "$out/webgpu-bench.log"
  (cd "$work" && "${app_env[@]}" timeout "$limit" ./node app/index.js train --backend auto \
    --presets "$train_preset" "${slides[@]}" "${train_extra[@]}" "$@" --json > "$out/$name.json") 2>&1 \
    | tr '\r' '\n' | grep -v 'artificially reduced' | log_part "$name"
  part_ended "$name" "${PIPESTATUS[0]}"
  cat "$out/$name.json" >> "$out/webgpu-bench.log"
}
parts=${PARTS:-train-cyclegan,train-progan64,train-progan256,cyclegan,progan,conv}
for part in ${parts//,/ }; do
  if [ $((SECONDS - start)) -gt "$deadline" ]; then
    echo "== $part skipped: past the ${deadline}s deadline" | tee -a "$out/webgpu-bench.log"
    continue
  fi
  case $part in
    train-cyclegan) train_part "$part" "${TRAIN_CYCLEGAN_LIMIT:-170}" --models cyclegan --steps 21 "$@" ;;
    train-progan64) train_part "$part" "${TRAIN_PROGAN64_LIMIT:-90}" --models progan \
      --progan-sizes "${progan_sizes[0]}" --progan-steps 21 "$@" ;;
    train-progan256) train_part "$part" "${TRAIN_PROGAN256_LIMIT:-150}" --models progan \
      --progan-sizes "${progan_sizes[1]}" --progan-steps 21 "$@" ;;
    cyclegan) kernel_part cyclegan "${CYCLEGAN_LIMIT:-150}" --parts train --models cyclegan --iterations 2 --warmup 1 "$@" ;;
    conv) kernel_part conv "${CONV_LIMIT:-100}" --parts conv "$@" ;;
    progan) kernel_part progan "${PROGAN_LIMIT:-120}" --parts train --models progan --variants ours,stock,tfjs \
      --iterations 1 --warmup 1 "$@" ;;
    *) echo "unknown part $part (train-cyclegan, train-progan64, train-progan256, cyclegan, conv, progan)" ;;
  esac
done
echo "== done at $((SECONDS - start))s" | tee -a "$out/webgpu-bench.log"
rm -rf "$work"
exit "$status"
