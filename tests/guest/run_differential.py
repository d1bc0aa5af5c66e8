#!/usr/bin/env python3
"""Runs the insn_fuzz guest (guests/insn_fuzz.c) with one seed on the KVM engine and on the
software engine and compares what they print, batch by batch. On the first batch that differs
it reruns that batch one sequence at a time on both engines, then the first differing sequence
with its scratch memory dumped, and reports the sequence: bytes (disassembled when objdump is
there), inputs, both outputs and the bytes of memory that differ, with the command line that
reproduces it.

Exit status: 0 same output, 1 a difference or a failed run, 77 no usable /dev/kvm (the KVM
engine is the reference).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError as e:
        return str(e)
    os.close(fd)
    return None


def run(args, accel, append):
    cmd = [args.vmm, "-nodefaults", "--no-reboot", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", "-machine", f"accel={accel}",
           "-kernel", args.kernel, "-append", append]
    if args.cpu:
        cmd += ["-cpu", args.cpu]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace", timeout=args.timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAILED: {accel}: timed out after {args.timeout} s: {' '.join(cmd)}")
    if p.returncode != 1 or "SUMMARY: 1 tests, 0 failures" not in p.stdout:
        print(p.stdout[-3000:])
        print(p.stderr[-3000:], file=sys.stderr)
        sys.exit(f"FAILED: {accel}: the guest did not finish (exit status {p.returncode}): {' '.join(cmd)}")
    return p.stdout.splitlines()


def lines_with(lines, prefix):
    return [line for line in lines if line.startswith(prefix)]


def disassemble(hex_bytes, bits):
    objdump = shutil.which("objdump")
    if not objdump:
        return None
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(bytes.fromhex(hex_bytes))
        f.flush()
        p = subprocess.run([objdump, "-D", "-b", "binary", "-mi386:x86-64" if bits == 64 else "-mi386", f.name], stdout=subprocess.PIPE,
                           text=True)
    return [line for line in p.stdout.splitlines() if re.match(r"\s+[0-9a-f]+:\t", line)]


def memory(lines):
    """The 'M' dump lines of one sequence: (before, after) as bytearrays."""
    dumps, current = [], None
    for line in lines:
        if line.startswith("M "):
            fields = line.split()
            if int(fields[2], 16) == 0:
                current = bytearray()
                dumps.append(current)
            current.extend(int(b, 16) for b in fields[3:])
    return dumps


def report_sequence(args, seq):
    """Reruns one sequence with memory dumps on both engines and prints what differs."""
    append = f"seed={args.seed} first={seq} count=1 verbose=1 dump=1{args.extra}"
    out = {accel: run(args, accel, append) for accel in ("kvm", "tcg")}
    _, _, mode, code = lines_with(out["kvm"], f"S {seq} code")[0].split(" ", 3)
    bits = int(mode[len("code"):])
    print(f"FAILED: sequence {seq} of seed {args.seed} differs between the engines")
    print(f"reproduce: nestvisor -machine accel=tcg|kvm ... -kernel {args.kernel} -append '{append}'")
    print(f"bytes ({bits}-bit code): {code}")
    for line in disassemble(code, bits) or []:
        print(f"  {line}")
    print(lines_with(out["kvm"], f"S {seq} in")[0])
    for accel, name in (("kvm", "KVM (reference)"), ("tcg", "software engine")):
        print(f"{name}:")
        print("  " + lines_with(out[accel], f"S {seq} out")[0])
        print("  " + lines_with(out[accel], f"S {seq} result")[0])
    regs = [dict(f.split("=") for f in lines_with(out[a], f"S {seq} out")[0].split()[3:]) for a in ("kvm", "tcg")]
    for name in regs[0]:
        if regs[0][name] != regs[1].get(name):
            print(f"  {name}: KVM {regs[0][name]}, software engine {regs[1].get(name)}")
    mem = {accel: memory(out[accel]) for accel in ("kvm", "tcg")}
    if len(mem["kvm"]) == 2 and len(mem["tcg"]) == 2:
        diffs = [i for i in range(len(mem["kvm"][1])) if mem["kvm"][1][i] != mem["tcg"][1][i]]
        for i in diffs[:32]:
            print(f"  scratch+{i:#x}: before {mem['kvm'][0][i]:02x}, KVM {mem['kvm'][1][i]:02x}, "
                  f"software engine {mem['tcg'][1][i]:02x}")
        if len(diffs) > 32:
            print(f"  ... {len(diffs)} bytes differ in all")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vmm", default=os.environ.get("NV_GUEST_VMM", "nestvisor"))
    ap.add_argument("--kernel", required=True, help="insn_fuzz.elf")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--cpu", help="-cpu model for both engines")
    ap.add_argument("--guest-args", default="", help="more guest command-line items, e.g. cx16=1")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    args.extra = f" {args.guest_args}" if args.guest_args else ""

    why = kvm_usable()
    if why:
        print(f"SKIPPED: /dev/kvm not available ({why}): the differential test needs the KVM engine as its reference")
        return SKIP

    append = f"seed={args.seed} count={args.count} batch={args.batch}{args.extra}"
    out = {accel: lines_with(run(args, accel, append), "B ") for accel in ("kvm", "tcg")}
    if len(out["kvm"]) != len(out["tcg"]) or not out["kvm"]:
        print(f"FAILED: batch lines: KVM {len(out['kvm'])}, software engine {len(out['tcg'])}")
        return 1
    for kvm_line, tcg_line in zip(out["kvm"], out["tcg"]):
        if kvm_line == tcg_line:
            continue
        first = int(kvm_line.split()[1])
        count = min(args.batch, args.count - first)
        print(f"batch at sequence {first} differs: KVM '{kvm_line}', software engine '{tcg_line}'")
        verbose = f"seed={args.seed} first={first} count={count} batch={count} verbose=1{args.extra}"
        detail = {accel: run(args, accel, verbose) for accel in ("kvm", "tcg")}
        for seq in range(first, first + count):
            results = [lines_with(detail[a], f"S {seq} out") + lines_with(detail[a], f"S {seq} result")
                       for a in ("kvm", "tcg")]
            if results[0] != results[1]:
                report_sequence(args, seq)
                return 1
        print("FAILED: the batch differs but no single sequence does when rerun: a run is not reproducible")
        return 1
    print(f"PASS: {args.count} sequences of seed {args.seed}: the engines agree ({len(out['kvm'])} batches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
