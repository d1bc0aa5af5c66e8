#!/usr/bin/env bash
# Builds nestvisor and boots the bundled demo guest (guests/hello.c) with two
# vCPUs: on the KVM engine, or on the software engine (-machine accel=tcg)
# where /dev/kvm is missing or not accessible. Extra arguments go to nestvisor
# (e.g. -machine accel=tcg to pick the software engine anyway).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
build=${NV_BUILD_DIR:-$root/build}
accel=()
if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
  echo "demo: /dev/kvm is missing or not accessible: running on the software engine (-machine accel=tcg)" >&2
  accel=(-machine accel=tcg)
fi
set +e
"$build/nestvisor" "${accel[@]}" -nodefaults --no-reboot -display none -serial stdio \
  -device isa-debug-exit,iobase=0xf4,iosize=0x4 -device pc-testdev -device pci-testdev \
  -smp 2 -kernel "$build/guests/hello.elf" -append "demo" "$@"
status=$?
set -e
# The guest reports through isa-debug-exit: writing 0 makes the VMM exit
# with (0 << 1) | 1 = 1, which is success for the demo (and kvm-unit-tests).
if [[ $status -eq 1 ]]; then
  echo "demo: the guest passed (nestvisor exit status 1 = guest wrote 0 to isa-debug-exit)"
  exit 0
fi
echo "demo: nestvisor exited with status $status (see docs/usage.md, 'Exit status')" >&2
exit "$status"
