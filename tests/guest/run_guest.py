#!/usr/bin/env python3
"""Boots one test guest in a VMM the way kvm-unit-tests' runner does and checks the result.

The guest passes when the VMM's exit status is the expected one (isa-debug-exit gives
(code << 1) | 1, so 1 for a guest that exits with 0), the serial output has no "FAIL:" line,
at least --min-pass "PASS:" lines, a "SUMMARY: ..., 0 failures" line (unless --no-summary)
and a match for every --expect regular expression.

Exit codes: 0 pass, 1 fail, 77 skip (no usable /dev/kvm; ELF64 kernel on QEMU).
NV_GUEST_VMM in the environment replaces --vmm, e.g. NV_GUEST_VMM=qemu-system-x86_64.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

SKIP = 77
STANDARD_ARGS = [
    "-nodefaults", "--no-reboot", "-display", "none", "-serial", "stdio",
    "-device", "pc-testdev", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4",
    "-device", "pci-testdev",
]


def kvm_usable():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def is_elf64(path):
    with open(path, "rb") as f:
        header = f.read(5)
    return header[:4] == b"\x7fELF" and header[4] == 2


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vmm", required=True, help="VMM binary (overridden by $NV_GUEST_VMM)")
    p.add_argument("--kernel", required=True, help="multiboot guest kernel")
    p.add_argument("--append", default=None, help="guest command line")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", type=int, default=128, help="guest RAM in MiB")
    p.add_argument("--cpu", default=None, help="-cpu model and flags")
    p.add_argument("--expect-status", type=int, default=1, help="expected VMM exit status (default 1)")
    p.add_argument("--min-pass", type=int, default=1, help="minimum number of PASS lines (default 1)")
    p.add_argument("--no-summary", action="store_true", help="the guest prints no SUMMARY line")
    p.add_argument("--expect", action="append", default=[], help="regex the output must match (repeatable)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before the VMM is killed")
    p.add_argument("--reboot", action="store_true", help="leave out --no-reboot: a guest reset reboots it")
    p.add_argument("--accel", choices=["kvm", "tcg"], default="kvm",
                   help="engine: kvm (needs /dev/kvm) or tcg (nestvisor's software engine)")
    p.add_argument("--expect-stderr-once", action="append", default=[],
                   help="regex exactly one line of the VMM's stderr must match (repeatable)")
    return p.parse_args()


def check_output(args, status, out, err):
    problems = []
    if status != args.expect_status:
        problems.append(f"exit status {status}, expected {args.expect_status}")
    fails = re.findall(r"^FAIL:.*$", out, re.M)
    if fails:
        problems.append(f"{len(fails)} FAIL line(s): " + "; ".join(fails[:5]))
    passes = len(re.findall(r"^PASS:", out, re.M))
    if passes < args.min_pass:
        problems.append(f"{passes} PASS line(s), expected at least {args.min_pass}")
    if not args.no_summary and not re.search(r"^SUMMARY: \d+ tests, 0 failures", out, re.M):
        problems.append("no 'SUMMARY: N tests, 0 failures' line")
    for pattern in args.expect:
        if not re.search(pattern, out, re.M):
            problems.append(f"output does not match {pattern!r}")
    for pattern in args.expect_stderr_once:
        n = len(re.findall(pattern, err, re.M))
        if n != 1:
            problems.append(f"{n} stderr line(s) match {pattern!r}, expected exactly 1")
    return problems


def main():
    args = parse_args()
    vmm = os.environ.get("NV_GUEST_VMM") or args.vmm
    if args.accel == "kvm" and not kvm_usable():
        print("SKIPPED: /dev/kvm not available (missing or no read/write access)")
        return SKIP
    if "qemu" in os.path.basename(vmm) and is_elf64(args.kernel):
        print("SKIPPED: QEMU's multiboot loader rejects ELF64 kernels; this test is for nestvisor")
        return SKIP

    standard = [a for a in STANDARD_ARGS if not (args.reboot and a == "--no-reboot")]
    cmd = [vmm] + standard + ["-machine", "accel=" + args.accel, "-m", str(args.mem), "-smp", str(args.smp)]
    if args.cpu:
        cmd += ["-cpu", args.cpu]
    cmd += ["-kernel", args.kernel]
    if args.append is not None:
        cmd += ["-append", args.append]
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)

    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = (e.stderr or b"").decode(errors="replace")
        print(out, end="")
        print(err, end="", file=sys.stderr)
        print(f"FAILED: timed out after {args.timeout:g} s")
        return 1
    except OSError as e:
        print(f"FAILED: cannot run {vmm}: {e}")
        return 1

    out = proc.stdout.decode(errors="replace").replace("\r\n", "\n")
    err = proc.stderr.decode(errors="replace")
    print(out, end="" if out.endswith("\n") or not out else "\n")
    if err:
        print("--- VMM stderr ---\n" + err, end="" if err.endswith("\n") else "\n")
    problems = check_output(args, proc.returncode, out, err)
    if problems:
        for p in problems:
            print(f"FAILED: {p}")
        return 1
    print(f"OK: exit status {proc.returncode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
