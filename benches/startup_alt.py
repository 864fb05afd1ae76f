#!/usr/bin/env python3
"""Start-up of two tonecheck binaries on one small call, run alternately (the order swapped
every round, the first 10 rounds dropped), so both meet the same machine load; hyperfine
runs each command's runs in one block. Prints the median wall time and the median CPU time
(user + system) of each.

usage: benches/startup_alt.py BIN_A BIN_B [ROUNDS] [FILE]
"""
import resource
import statistics
import subprocess
import sys
import time

a, b = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 110
path = sys.argv[4] if len(sys.argv) > 4 else "corpora/calls/council-bin-collection.txt"
args = ["check", "--no-config", path]
res = {a: ([], []), b: ([], [])}
for i in range(rounds):
    for binary in (a, b) if i % 2 == 0 else (b, a):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i >= 10:
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            res[binary][0].append((t1 - t0) * 1000)
            res[binary][1].append(cpu * 1000)
for binary, (wall, cpu) in res.items():
    print(
        f"{binary}: wall median {statistics.median(wall):.1f} ms (fastest {min(wall):.1f}), "
        f"CPU (user + system) median {statistics.median(cpu):.1f} ms, {len(wall)} runs"
    )
