#!/usr/bin/env bash
# Runs the WebGPU training benchmark from the kit scripts/gpu-kit.sh built (copied there as run.sh).
# On the GPU machine: unpacks node and the Vulkan loader, finds the NVIDIA Vulkan ICD, runs the
# benchmark. Figures go to $OUT (or /tmp/gpu-kit-out): webgpu-bench.json and webgpu-bench.log.
# PRESET (default paper) and PARTS (default conv,train) select the work; extra arguments are passed on.
# Locally, SMOKE=1 with VK_ICD_FILENAMES set to lavapipe runs the tiny preset on the software adapter.
set -uo pipefail
kit=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-/tmp/gpu-kit-out}
work=$(mktemp -d)
mkdir -p "$out"

if command -v xz >/dev/null; then
  xz -dc "$kit/node.xz" > "$work/node"
else
  python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' "$kit/node.xz" > "$work/node"
fi
chmod +x "$work/node"

if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  mkdir -p "$work/root"
  for f in "$kit"/debs/*.deb; do dpkg -x "$f" "$work/root"; done
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

args=(--preset "${PRESET:-paper}" --parts "${PARTS:-conv,train}" --json "$out/webgpu-bench.json")
if [ "${SMOKE:-0}" = 1 ]; then
  args=(--preset tiny --parts "${PARTS:-conv,train}" --allow-software --conv-min-ms 10 --conv-max-reps 2
    --iterations 1 --warmup 1 --json "$out/webgpu-bench.json")
fi
cd "$kit"
"$work/node" bench.mjs "${args[@]}" "$@" 2>&1 | grep -v 'artificially reduced' | tee -a "$out/webgpu-bench.log"
status=${PIPESTATUS[0]}
rm -rf "$work"
exit "$status"
