#!/usr/bin/env python3
"""Runs a command and checks its exit status and that its stderr is exactly one
line matching a regex: what the VMM owes a user who made a mistake.

usage: expect_exit.py --status N --stderr REGEX -- COMMAND [ARGS...]"""
import argparse
import re
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--status", type=int, required=True)
    p.add_argument("--stderr", required=True, help="regex the single stderr line must match")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    err = proc.stderr.decode(errors="replace")
    lines = [l for l in err.splitlines() if l.strip()]
    print("$ " + " ".join(cmd))
    print(err, end="")
    problems = []
    if proc.returncode != args.status:
        problems.append(f"exit status {proc.returncode}, expected {args.status}")
    if len(lines) != 1:
        problems.append(f"{len(lines)} stderr lines, expected exactly 1")
    elif not re.search(args.stderr, lines[0]):
        problems.append(f"stderr does not match {args.stderr!r}")
    for problem in problems:
        print("FAILED: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
