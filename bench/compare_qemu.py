#!/usr/bin/env python3
"""Measures nestvisor and QEMU side by side on the project's guests (called by bench/compare_qemu.sh).

Figures, each a median over interleaved runs so that machine load hits both VMMs alike:
  (a) wall time from process start to exit for guests/nothing.elf;
  (b) time from the VMM's execve to its first KVM_RUN ioctl, from `strace -f -ttt`;
  (c) the cycle counts guests/latency.elf prints as `latency <name> <cycles>`.
A VMM that fails is reported as such in its column; the other column is still measured.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# The same devices and options for both VMMs: what kvm-unit-tests' x86/run passes, minus the kernel.
COMMON_ARGS = [
    "-nodefaults", "--no-reboot", "-display", "none", "-serial", "stdio",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4", "-device", "pc-testdev", "-device", "pci-testdev",
    "-machine", "accel=kvm",
]
LATENCY_CASES = ["cpuid", "pci_io", "pci_mem", "pmtimer", "testdev_io"]
# A guest that writes 0 to isa-debug-exit makes the VMM exit with (0 << 1) | 1.
GUEST_SUCCESS_STATUS = 1
LATENCY_LINE = re.compile(r"^latency (\S+) (\d+)\s*$", re.MULTILINE)
# strace -ttt line: "PID SECONDS.MICROS syscall(...". KVM_RUN is _IO(0xAE, 0x80); older strace prints it raw.
STRACE_LINE = re.compile(r"^(?:\[pid\s+)?(\d+)\]?\s+(\d+\.\d+)\s+(.*)$")
KVM_RUN_CALL = re.compile(r"^ioctl\(\d+, (?:KVM_RUN|0xae80)\b")


class RunFailure(Exception):
    """One VMM run that did not end the way the guest asks; str() is the table cell."""


def run_vmm(cmd, timeout):
    """Runs cmd, returning (seconds from spawn to exit, stdout). Raises RunFailure unless the guest's exit status."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                              errors="replace")
    except subprocess.TimeoutExpired:
        raise RunFailure(f"timeout ({timeout:g} s)")
    except OSError as e:
        raise RunFailure(f"failed ({e.strerror})")
    elapsed = time.perf_counter() - start
    if proc.returncode != GUEST_SUCCESS_STATUS:
        detail = proc.stderr.strip().splitlines()[-1:] if proc.stderr.strip() else []
        raise RunFailure(f"failed (exit {proc.returncode})" + (f": {detail[0][:80]}" if detail else ""))
    return elapsed, proc.stdout


def startup_to_first_kvm_run(cmd, timeout):
    """Seconds from the traced execve of cmd to the first KVM_RUN ioctl of any of its threads."""
    with tempfile.NamedTemporaryFile(prefix="compare_qemu.", suffix=".strace") as trace:
        run_vmm(["strace", "-f", "-ttt", "-e", "trace=execve,ioctl", "-o", trace.name] + cmd, timeout)
        exec_time = None
        for line in open(trace.name, errors="replace"):
            m = STRACE_LINE.match(line)
            if not m:
                continue
            stamp, call = float(m.group(2)), m.group(3)
            if exec_time is None and call.startswith("execve("):
                exec_time = stamp
            elif exec_time is not None and KVM_RUN_CALL.match(call):
                return stamp - exec_time
    raise RunFailure("no KVM_RUN in strace" if exec_time is not None else "no execve in strace")


def parse_latency(stdout):
    """The figures the guest printed; a case it did not print shows up as a missing line in the table."""
    return {"latency:" + name: int(cycles) for name, cycles in LATENCY_LINE.findall(stdout) if name in LATENCY_CASES}


class Column:
    """Samples of one VMM, keyed by figure name; the first failure of a figure replaces its samples."""

    def __init__(self, name, argv0):
        self.name = name
        self.argv0 = argv0
        self.samples = {}
        self.failures = {}

    def record(self, figure, measure):
        if figure in self.failures:
            return
        try:
            values = measure()
        except RunFailure as e:
            self.failures[figure] = str(e)
            for key in [k for k in self.samples if k.split(":")[0] == figure]:
                del self.samples[key]
            return
        for key, value in values.items():
            self.samples.setdefault(key, []).append(value)

    def failure(self, key):
        return self.failures.get(key.split(":")[0])

    def median(self, key):
        return statistics.median(self.samples[key]) if key in self.samples else None


def measure(columns, guests, args):
    def cmd(column, guest):
        return [column.argv0] + COMMON_ARGS + ["-kernel", guest]

    # Interleave the VMMs run by run so that a burst of load from elsewhere affects both.
    for i in range(args.runs_nothing):
        for c in columns:
            c.record("exit", lambda c=c: {"exit": run_vmm(cmd(c, guests["nothing"]), args.timeout)[0]})
    for i in range(args.runs_strace):
        for c in columns:
            c.record("kvm_run", lambda c=c: {"kvm_run": startup_to_first_kvm_run(cmd(c, guests["nothing"]),
                                                                                  args.timeout)})
    for i in range(args.runs_latency):
        for c in columns:
            c.record("latency", lambda c=c: parse_latency(run_vmm(cmd(c, guests["latency"]), args.timeout)[1]))


ROWS = [("exit", "nothing.elf: process start to exit", "ms", 1e3),
        ("kvm_run", "execve to first KVM_RUN (under strace)", "ms", 1e3)] + \
       [("latency:" + n, f"latency.elf: {n}", "cycles", 1) for n in LATENCY_CASES]


def cell(column, key, scale):
    failure = column.failure(key)
    if failure:
        return failure
    value = column.median(key)
    if value is None:
        return f"no `latency {key.split(':')[1]}` line" if key.startswith("latency:") else "not measured"
    return f"{value * scale:.1f}" if scale != 1 else f"{value:.0f}"


def report(nv, qemu, args):
    lines = [f"| figure (median) | unit | nestvisor | QEMU | nestvisor / QEMU |", "|---|---|---|---|---|"]
    for key, label, unit, scale in ROWS:
        a, b = nv.median(key), qemu.median(key)
        ratio = f"{a / b:.2f}" if a is not None and b else "—"
        lines.append(f"| {label} | {unit} | {cell(nv, key, scale)} | {cell(qemu, key, scale)} | {ratio} |")
    return "\n".join(lines)


def to_json(columns, args, guests):
    out = {"command_line": COMMON_ARGS + ["-kernel", "GUEST"], "guests": guests,
           "runs": {"nothing": args.runs_nothing, "strace": args.runs_strace, "latency": args.runs_latency},
           "units": {"exit": "seconds", "kvm_run": "seconds", "latency:*": "TSC cycles"}}
    for c in columns:
        out[c.name] = {"binary": c.argv0, "failures": c.failures,
                       "medians": {k: c.median(k) for k in c.samples}, "samples": c.samples}
    return out


def check_inputs(tool, guest_paths, qemu, hint):
    """Exits with a message naming what is missing; returns QEMU's full path."""
    absent = [path for path in guest_paths if not os.path.isfile(path)]
    if absent:
        sys.exit(f"{tool}: error: guest binary {', '.join(absent)} not found; {hint}")
    qemu_path = shutil.which(qemu)
    if not qemu_path:
        sys.exit(f"{tool}: error: QEMU binary '{qemu}' not found")
    return qemu_path


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("build", nargs="?", default="/work/main/build", help="nestvisor build directory")
    p.add_argument("--nestvisor", help="nestvisor binary (default BUILD/nestvisor)")
    p.add_argument("--qemu", default="qemu-system-x86_64", help="QEMU binary")
    p.add_argument("--json", metavar="FILE", help="also write medians and raw samples as JSON")
    p.add_argument("--runs-nothing", type=int, default=20)
    p.add_argument("--runs-strace", type=int, default=5)
    p.add_argument("--runs-latency", type=int, default=5)
    p.add_argument("--timeout", type=float, default=120, help="seconds before one VMM run counts as hung")
    args = p.parse_args()

    guests = {g: os.path.join(args.build, "guests", g + ".elf") for g in ("nothing", "latency")}
    qemu_path = check_inputs("compare_qemu", guests.values(), args.qemu,
                             f"build the guests first (ninja -C {args.build}) or pass the right build directory")

    nv = Column("nestvisor", args.nestvisor or os.path.join(args.build, "nestvisor"))
    qemu = Column("qemu", qemu_path)
    if not os.access(nv.argv0, os.X_OK):
        # Still measure QEMU: the table then shows why nestvisor has no figures.
        nv.failures = {key.split(":")[0]: f"missing ({nv.argv0})" for key, *_ in ROWS}
    print(f"compare_qemu: {nv.argv0} vs {qemu_path}; runs: nothing {args.runs_nothing}, "
          f"strace {args.runs_strace}, latency {args.runs_latency}", file=sys.stderr)

    measure([nv, qemu], guests, args)
    print(report(nv, qemu, args))
    print(f"\nBoth VMMs got: {' '.join(COMMON_ARGS)} -kernel GUEST")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(to_json([nv, qemu], args, guests), f, indent=2)
    # Success means QEMU, the reference, was measured; nestvisor's failures are results in the table.
    return 1 if qemu.failures else 0


if __name__ == "__main__":
    sys.exit(main())
