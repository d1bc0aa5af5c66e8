#!/usr/bin/env bash
# Builds nestvisor and boots the bundled demo guest on the KVM engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
build=${NV_BUILD_DIR:-$root/build}
exec "$build/nestvisor" -nodefaults --no-reboot -display none -serial stdio \
  -device isa-debug-exit,iobase=0xf4,iosize=0x4 -device pc-testdev -device pci-testdev \
  -smp 2 -kernel "$build/guests/hello.elf" "$@"
