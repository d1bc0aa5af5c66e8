#!/usr/bin/env bash
# Configures and builds nestvisor into build/ (or $NV_BUILD_DIR).
# Extra arguments go to cmake, e.g. -DNESTVISOR_SANITIZE=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
build=${NV_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
