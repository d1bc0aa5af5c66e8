#!/usr/bin/env bash
# Wall time of nestvisor and QEMU with -machine accel=tcg on the same guests, measured in one run on the same
# machine, and nestvisor's guest instructions per second on kvm-unit-tests' sieve. See docs/performance.md,
# "Software engine speed".
#
# Usage: bench/compare_tcg.sh [BUILD_DIR] [--kut KVM_UNIT_TESTS_BUILD] [--json FILE] [--runs N] [--timeout SECONDS]
#                             [--ips-seconds S] [--qemu PATH] [--nestvisor PATH]
#   BUILD_DIR defaults to /work/main/build; guests are read from BUILD_DIR/guests/{nothing,hello,latency}.elf,
#   and with --kut from DIR/x86/{sieve,vmexit}.flat.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# scripts/setup.sh --with-peers installs Debian's qemu-system-x86 (qemu-system-x86_64) when missing.
if ! command -v qemu-system-x86_64 > /dev/null || ! command -v python3 > /dev/null; then
  "$here/../scripts/setup.sh" --with-peers >&2 ||
    { echo "compare_tcg: error: could not install qemu-system-x86 (scripts/setup.sh --with-peers)" >&2; exit 2; }
fi

# compare_tcg.py imports the run and column helpers of compare_qemu.py from this directory.
exec python3 "$here/compare_tcg.py" "$@"
