#!/usr/bin/env python3
"""Wall time of nestvisor and QEMU with -machine accel=tcg on the same guests (called by bench/compare_tcg.sh).

Each guest runs N times per VMM, the VMMs alternating run by run so that load from elsewhere hits both; the
table gives medians. guests/nothing.elf exits at once, so its row is each VMM's start-up plus shutdown.
nestvisor's guest instructions per second come from the retired-instruction count (icount) its EmuEngine logs
when it is stopped by SIGTERM: sieve runs for --ips-seconds, then gets SIGTERM.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

from compare_qemu import COMMON_ARGS as KVM_ARGS, GUEST_SUCCESS_STATUS, Column, RunFailure, check_inputs

COMMON_ARGS = [a if a != "accel=kvm" else "accel=tcg" for a in KVM_ARGS]
PROJECT_GUESTS = ["nothing", "hello", "latency"]
# kvm-unit-tests kernels (path under the kvm-unit-tests build, -append); neither needs an initrd.
KUT_GUESTS = [("sieve", "x86/sieve.flat", None), ("vmexit_cpuid", "x86/vmexit.flat", "cpuid")]
# "emu vCPU 0 state at termination: ... icount=N" (EmuEngine::run on SIGTERM).
ICOUNT_LINE = re.compile(r"emu vCPU 0 state at termination:.*\bicount=(\d+)")


def run_timed(cmd, timeout):
    """Runs cmd; returns seconds from spawn to exit. A run past timeout gets SIGTERM (then SIGKILL)."""
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, errors="replace")
    except OSError as e:
        raise RunFailure(f"failed ({e.strerror})")
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(proc)
        raise RunFailure(f"timeout ({timeout:g} s)")
    elapsed = time.perf_counter() - start
    if proc.returncode != GUEST_SUCCESS_STATUS:
        detail = err.strip().splitlines()[-1:] if err.strip() else []
        raise RunFailure(f"failed (exit {proc.returncode})" + (f": {detail[0][:80]}" if detail else ""))
    return elapsed


def stop(proc):
    """SIGTERM, then SIGKILL if the VMM does not exit within 10 s; returns its stderr."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=10)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[1]


def guest_ips(cmd, seconds):
    """nestvisor's retired guest instructions per second over `seconds` of a guest that runs longer."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    try:
        proc.wait(timeout=seconds)
        raise RunFailure(f"guest ended before {seconds:g} s (exit {proc.returncode})")
    except subprocess.TimeoutExpired:
        pass
    err = stop(proc)
    elapsed = time.perf_counter() - start
    m = ICOUNT_LINE.search(err)
    if not m:
        raise RunFailure("no icount in the termination log")
    return int(m.group(1)), elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("build", nargs="?", default="/work/main/build", help="nestvisor build directory")
    p.add_argument("--nestvisor", help="nestvisor binary (default BUILD/nestvisor)")
    p.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary")
    p.add_argument("--kut", metavar="DIR", help="kvm-unit-tests build: adds x86/sieve.flat and x86/vmexit.flat cpuid")
    p.add_argument("--json", metavar="FILE", help="also write medians and raw samples as JSON")
    p.add_argument("--runs", type=int, default=3, help="runs per guest and VMM (median)")
    p.add_argument("--timeout", type=float, default=600, help="seconds before one VMM run counts as hung")
    p.add_argument("--ips-seconds", type=float, default=20, help="how long sieve runs for the icount sample")
    args = p.parse_args()

    guests = {g: (os.path.join(args.build, "guests", g + ".elf"), None) for g in PROJECT_GUESTS}
    if args.kut:
        guests.update({name: (os.path.join(args.kut, path), append) for name, path, append in KUT_GUESTS})
    qemu_path = check_inputs("compare_tcg", [path for path, _ in guests.values()], args.qemu,
                             f"build the guests (ninja -C {args.build}) or kvm-unit-tests, or pass the right directory")

    nv = Column("nestvisor", args.nestvisor or os.path.join(args.build, "nestvisor"))
    qemu = Column("qemu", qemu_path)
    if not os.access(nv.argv0, os.X_OK):
        nv.failures = {g: f"missing ({nv.argv0})" for g in list(guests) + ["ips"]}
    print(f"compare_tcg: {nv.argv0} vs {qemu_path}, accel=tcg; {args.runs} runs of {', '.join(guests)}",
          file=sys.stderr)

    def cmd(column, guest):
        kernel, append = guests[guest]
        return [column.argv0] + COMMON_ARGS + ["-kernel", kernel] + (["-append", append] if append else [])

    for i in range(args.runs):
        for g in guests:
            for c in (nv, qemu):
                if g in c.failures:  # Column.record keeps the first failure; the run is not repeated
                    continue
                c.record(g, lambda c=c, g=g: {g: run_timed(cmd(c, g), args.timeout)})
                print(f"  run {i + 1} {g} {c.name}: " + (c.failures[g] if g in c.failures else
                                                          f"{c.samples[g][-1]:.3f} s"), file=sys.stderr)
    ips = None
    if "sieve" in guests:
        def sample():
            count, elapsed = guest_ips(cmd(nv, "sieve"), args.ips_seconds)
            return {"ips": count / elapsed, "ips_icount": count, "ips_seconds": elapsed}
        nv.record("ips", sample)
        ips = nv.median("ips")

    print(report(nv, qemu, guests, args.timeout))
    if ips is not None:
        print(f"\nnestvisor sieve: {nv.samples['ips_icount'][0]} guest instructions in "
              f"{nv.samples['ips_seconds'][0]:.1f} s = {ips / 1e6:.1f} million guest instructions per second")
    elif "ips" in nv.failures:
        print(f"\nnestvisor sieve guest instructions per second: {nv.failures['ips']}")
    print(f"\nBoth VMMs got: {' '.join(COMMON_ARGS)} -kernel GUEST [-append ARGS]")
    if args.json:
        out = {"command_line": COMMON_ARGS + ["-kernel", "GUEST"], "runs": args.runs, "timeout": args.timeout,
               "guests": {g: {"kernel": k, "append": a} for g, (k, a) in guests.items()},
               "units": {"<guest>": "seconds, spawn to exit", "ips": "guest instructions per second"}}
        for c in (nv, qemu):
            out[c.name] = {"binary": c.argv0, "failures": c.failures,
                           "medians": {k: c.median(k) for k in c.samples}, "samples": c.samples}
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    return 1 if qemu.failures else 0


def report(nv, qemu, guests, timeout):
    def cell(c, g):
        return c.failures[g] if g in c.failures else f"{c.median(g):.3f}"

    startup = {c.name: c.median("nothing") for c in (nv, qemu)}
    lines = ["| guest (median wall time, s) | nestvisor | QEMU TCG | nestvisor / QEMU | ratio net of start-up |",
             "|---|---|---|---|---|"]
    for g in guests:
        a, b = nv.median(g), qemu.median(g)
        ratio = f"{a / b:.2f}" if a is not None and b else "—"
        if a is None and b and nv.failures.get(g, "").startswith("timeout"):
            ratio = f"> {timeout / b:.1f}"  # nestvisor ran at least `timeout` seconds
        net = "—"
        # Only for guests that run much longer than start-up; for the others it is noise.
        if g != "nothing" and None not in (a, b, startup["nestvisor"], startup["qemu"]) and b > 10 * startup["qemu"]:
            na, nb = a - startup["nestvisor"], b - startup["qemu"]
            net = f"{na / nb:.2f}" if nb > 0 else "—"
        label = "nothing (start-up + exit)" if g == "nothing" else g
        lines.append(f"| {label} | {cell(nv, g)} | {cell(qemu, g)} | {ratio} | {net} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
