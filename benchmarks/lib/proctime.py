#!/usr/bin/env python3
"""Whole-process cost of commands, interleaved: benchmarks/lib/proctime.py ROUNDS NAME CMD... [:: NAME CMD...]

Each round runs every command once, in turn (posix_spawn, output to /dev/null). Prints per command the median CPU
time (user + system of the process and its waited-for children, from wait4) and the median wall time, in ms, as
`NAME cpu_ms wall_ms`. A command that exits non-zero makes the whole run fail (a benchmark of an error is no
benchmark)."""
import os
import statistics
import sys
import time


def main() -> None:
    rounds = int(sys.argv[1])
    groups = []  # [(name, argv)]
    entry: list = []
    for word in sys.argv[2:] + ["::"]:
        if word != "::":
            entry.append(word)
            continue
        if len(entry) < 2:
            sys.exit("usage: proctime.py ROUNDS NAME CMD... [:: NAME CMD...]")
        groups.append((entry[0], entry[1:]))
        entry = []
    null = os.open("/dev/null", os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
    cpu = {name: [] for name, _ in groups}
    wall = {name: [] for name, _ in groups}
    for _ in range(rounds):
        for name, argv in groups:
            start = time.perf_counter()
            pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
            _, status, usage = os.wait4(pid, 0)
            wall[name].append((time.perf_counter() - start) * 1000)
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"proctime: {' '.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
            cpu[name].append((usage.ru_utime + usage.ru_stime) * 1000)
    for name, _ in groups:
        print(f"{name} {statistics.median(cpu[name]):.2f} {statistics.median(wall[name]):.2f}")


if __name__ == "__main__":
    main()
