#!/usr/bin/env python3
"""Boots one test guest twice with the same VMM options (e.g. the software engine under -icount)
and checks that both runs pass and print exactly the same serial output: with time following
the instruction count, timer readings, measured rates and interrupt counts are reproducible.

usage: run_deterministic.py --vmm PATH --kernel FILE [--min-pass N] [--timeout S] -- VMM-OPTIONS...
Exit status: 0 pass, 1 fail.
"""

import argparse
import subprocess
import sys


def boot(args):
    cmd = [args.vmm, "-nodefaults", "--no-reboot", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", "-device", "pc-testdev", "-device", "pci-testdev",
           "-kernel", args.kernel] + args.options
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                           timeout=args.timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAILED: timed out after {args.timeout} s: {' '.join(cmd)}")
    return cmd, p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vmm", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--min-pass", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("options", nargs="*", help="more VMM options, after --")
    args = ap.parse_args()

    runs = [boot(args) for _ in range(2)]
    cmd, first = runs[0]
    problems = []
    for i, (_, p) in enumerate(runs, 1):
        lines = p.stdout.splitlines()
        if p.returncode != 1:
            problems.append(f"run {i}: exit status {p.returncode}, want 1 (isa-debug-exit with 0)")
        if any(line.startswith("FAIL") for line in lines):
            problems.append(f"run {i}: a FAIL line")
        if sum(line.startswith("PASS:") for line in lines) < args.min_pass:
            problems.append(f"run {i}: fewer than {args.min_pass} PASS lines")
        if not any(line.startswith("SUMMARY:") and " 0 failures" in line for line in lines):
            problems.append(f"run {i}: no 'SUMMARY: ... 0 failures' line")
    if runs[0][1].stdout != runs[1][1].stdout:
        a, b = runs[0][1].stdout.splitlines(), runs[1][1].stdout.splitlines()
        diff = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
        problems.append(f"the runs differ at line {diff + 1}: {a[diff] if diff < len(a) else '<end>'!r} vs "
                        f"{b[diff] if diff < len(b) else '<end>'!r}")
    print(first.stdout, end="")
    print(first.stderr, end="", file=sys.stderr)
    print(f"command: {' '.join(cmd)}")
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
