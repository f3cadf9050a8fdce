#!/usr/bin/env bash
# Runs the WebGPU training benchmark from the kit scripts/gpu-kit.sh built (copied there as run.sh).
# On the GPU machine: unpacks node and the Vulkan loader, finds the NVIDIA Vulkan ICD, runs the
# benchmark. Figures go to $OUT (or /tmp/gpu-kit-out): <part>.json and <part>.log per part, and the
# summary lines in webgpu-bench.log. PRESET (default paper) and PARTS (default cyclegan,conv,progan)
# select the work, <PART>_LIMIT the seconds each may take; extra arguments go to every part.
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

# One process per part: TF.js's buffer pool only grows, so models are not mixed in one process, and a
# part that overruns its limit loses only itself. Most important first.
preset=${PRESET:-paper}
extra=()
if [ "${SMOKE:-0}" = 1 ]; then
  preset=tiny
  extra=(--allow-software --conv-min-ms 10 --conv-max-reps 2)
fi
status=0
run_part() {
  local name=$1 limit=$2
  shift 2
  echo "== $name (limit ${limit}s)" | tee -a "$out/webgpu-bench.log"
  (cd "$kit" && timeout "$limit" "$work/node" bench.mjs --preset "$preset" "${extra[@]}" "$@" \
    --json "$out/$name.json") 2>&1 | grep -v 'artificially reduced' | tee "$out/$name.log" | grep -v '^ ' \
    | tee -a "$out/webgpu-bench.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || { echo "== $name ended with status $rc" | tee -a "$out/webgpu-bench.log"; status=$rc; }
}
parts=${PARTS:-cyclegan,conv,progan}
for part in ${parts//,/ }; do
  case $part in
    cyclegan) run_part cyclegan "${CYCLEGAN_LIMIT:-180}" --parts train --models cyclegan --iterations 2 --warmup 1 "$@" ;;
    conv) run_part conv "${CONV_LIMIT:-120}" --parts conv "$@" ;;
    progan) run_part progan "${PROGAN_LIMIT:-150}" --parts train --models progan --variants ours,stock,tfjs \
      --iterations 1 --warmup 1 "$@" ;;
    *) echo "unknown part $part (cyclegan, conv, progan)" ;;
  esac
done
rm -rf "$work"
exit "$status"
