#!/usr/bin/env bash
# Builds nestvisor and runs the whole test suite (unit tests and guest tests).
# In CI (CI=true) warnings are errors. Set NV_SANITIZE=1 for an
# AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
args=()
[[ "${CI:-}" == "true" ]] && args+=(-DNESTVISOR_WERROR=ON)
if [[ "${NV_SANITIZE:-0}" == "1" ]]; then
  export NV_BUILD_DIR=${NV_BUILD_DIR:-$root/build-asan}
  args+=(-DNESTVISOR_SANITIZE=ON)
  # The sanitizers' default exit status, 1, is what a passing guest makes
  # the VMM return (isa-debug-exit 0): give their reports statuses of their own.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=98:print_stacktrace=1}
fi
build=${NV_BUILD_DIR:-$root/build}
NV_BUILD_DIR=$build "$root/scripts/build.sh" "${args[@]}"
cd "$build"
ctest --output-on-failure -j "$(nproc)"
