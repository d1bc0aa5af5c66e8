#!/usr/bin/env bash
# Start-up and exit-latency comparison of nestvisor and QEMU (accel=kvm) on the project's own guests,
# measured in one run on the same machine. See docs/performance.md for what each figure means.
#
# Usage: bench/compare_qemu.sh [BUILD_DIR] [--json FILE] [--runs-nothing N] [--runs-strace N]
#                              [--runs-latency N] [--timeout SECONDS] [--qemu PATH] [--nestvisor PATH]
#   BUILD_DIR defaults to /work/main/build; guests are read from BUILD_DIR/guests/{nothing,latency}.elf.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# scripts/setup.sh --with-peers installs Debian's qemu-system-x86 (qemu-system-x86_64) and strace when missing.
if ! command -v qemu-system-x86_64 > /dev/null || ! command -v strace > /dev/null || ! command -v python3 > /dev/null; then
  "$here/../scripts/setup.sh" --with-peers >&2 ||
    { echo "compare_qemu: error: could not install qemu-system-x86 and strace (scripts/setup.sh --with-peers)" >&2; exit 2; }
fi

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "compare_qemu: error: /dev/kvm is missing or not read-writable by $(id -un); both VMMs need it" >&2
  exit 2
fi

exec python3 "$here/compare_qemu.py" "$@"
