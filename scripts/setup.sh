#!/usr/bin/env bash
# Installs the Debian packages nestvisor needs to build and test, if missing.
# Idempotent and quiet when everything is there already.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libzydis-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev linux-libc-dev
  binutils python3
)
# --with-peers also installs what the side-by-side benchmarks run against.
if [[ "${1:-}" == "--with-peers" ]]; then
  packages+=(qemu-system-x86 strace linux-perf)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
