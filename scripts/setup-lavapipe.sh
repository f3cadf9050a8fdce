#!/usr/bin/env bash
# Software Vulkan (Mesa lavapipe) so the WebGPU training code runs in CPU-only CI.
#
# Debian 12's own Mesa 22 lavapipe is too old for Dawn; Mesa 25 from bookworm-backports works. To leave
# every other apt package as it is, only the Vulkan loader and lavapipe's runtime libraries come from
# Debian 12's own suite (plain installs, no upgrades); mesa-vulkan-drivers is downloaded from backports
# with a private apt configuration (the machine's sources are not touched) and unpacked into
# .cache/lavapipe/, with an ICD manifest naming the driver by absolute path. The tests point the Vulkan
# loader at that manifest (VK_ICD_FILENAMES), nothing else on the machine sees it.
# Idempotent; skips with a message on anything but Debian 12 (bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."

dest=.cache/lavapipe
mesa_version=25.0.7-2~bpo12+1

os_release=${OS_RELEASE_FILE:-/etc/os-release}
codename=""
if [ -r "$os_release" ]; then codename=$(. "$os_release" && echo "${VERSION_CODENAME:-}"); fi
if [ "$codename" != "bookworm" ]; then
  echo "setup-lavapipe: skipped (needs Debian 12 bookworm, found '${codename:-unknown}'); the WebGPU tests will skip."
  exit 0
fi
if [ "$(dpkg --print-architecture)" != "amd64" ]; then
  echo "setup-lavapipe: skipped (amd64 only); the WebGPU tests will skip."
  exit 0
fi
if [ -f "$dest/lvp_icd.json" ] && [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$mesa_version" ]; then
  echo "setup-lavapipe: Mesa $mesa_version lavapipe already in $dest"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Run on its own (not from setup-debian.sh) on a fresh machine, apt may have no package lists yet.
if ! apt-cache show libvulkan1 >/dev/null 2>&1; then $SUDO apt-get update -q; fi
# The Vulkan loader (Dawn dlopens libvulkan.so.1) and the libraries libvulkan_lvp.so links against, all
# from bookworm itself. Its libdrm calls all exist in bookworm's libdrm2 2.4.114 (checked with objdump).
$SUDO apt-get install -y -q --no-install-recommends \
  libvulkan1 libllvm15 libdrm2 libexpat1 libzstd1 zlib1g libwayland-client0 libx11-xcb1 \
  libxcb1 libxcb-dri3-0 libxcb-present0 libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxshmfence1

apt_dir=$(mktemp -d)
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$apt_dir/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o APT::Sandbox::User=root
)
apt-get "${apt_opts[@]}" update -q
(cd "$apt_dir" && apt-get "${apt_opts[@]}" download "mesa-vulkan-drivers=$mesa_version")

rm -rf "$dest"
mkdir -p "$dest"
dpkg -x "$apt_dir"/mesa-vulkan-drivers_*.deb "$dest/root"
lib=$(cd "$dest/root/usr/lib/x86_64-linux-gnu" && pwd)/libvulkan_lvp.so
test -f "$lib"
# Only lavapipe is wanted; the hardware drivers and layers in the same package would just take space.
find "$dest/root" \( -name 'libvulkan_*.so' -o -name 'libVkLayer_*.so' \) ! -name libvulkan_lvp.so -delete
cat > "$dest/lvp_icd.json" <<EOF
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$lib", "api_version": "1.4.305" } }
EOF
echo "$mesa_version" > "$dest/VERSION"
echo "setup-lavapipe: Mesa $mesa_version lavapipe in $dest (VK_ICD_FILENAMES=$(pwd)/$dest/lvp_icd.json)"
