#!/usr/bin/env bash
# Start-up and exit-latency comparison of nestvisor and QEMU (accel=kvm) on the project's own guests,
# measured in one run on the same machine. See docs/performance.md for what each figure means.
#
# Usage: bench/compare_qemu.sh [BUILD_DIR] [--json FILE] [--runs-nothing N] [--runs-strace N]
#                              [--runs-latency N] [--timeout SECONDS] [--qemu PATH] [--nestvisor PATH]
#   BUILD_DIR defaults to /work/main/build; guests are read from BUILD_DIR/guests/{nothing,latency}.elf.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Debian packages: qemu-system-x86 provides qemu-system-x86_64; strace traces the start-up path.
missing=()
command -v qemu-system-x86_64 > /dev/null || missing+=(qemu-system-x86)
command -v strace > /dev/null || missing+=(strace)
command -v python3 > /dev/null || missing+=(python3)
if ((${#missing[@]})); then
  echo "compare_qemu: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    { echo "compare_qemu: error: could not install ${missing[*]} with apt-get" >&2; exit 2; }
fi

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "compare_qemu: error: /dev/kvm is missing or not read-writable by $(id -un); both VMMs need it" >&2
  exit 2
fi

exec python3 "$here/compare_qemu.py" "$@"
