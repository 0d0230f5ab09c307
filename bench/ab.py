#!/usr/bin/env python3
"""Paired comparison of two bulletin binaries on one project: full builds
from nothing, the two binaries taking turns (A B, then B A, ...), so that the
machine's drift (the same build has taken 1.20 s and 1.74 s three minutes
apart here) falls on both alike. hyperfine runs all of one command's runs,
then all of the other's, and cannot resolve a change of a few per cent on
this machine; the paired ratios of this script can.

  flock /tmp/bulletin-cpu.lock bench/ab.py RUNS OLD_BINARY NEW_BINARY [PROJECT [OUT]]

PROJECT defaults to the 10k corpus project run-build.sh makes
(/tmp/bulletin-bench-build/project-10000), OUT to /dev/shm/bulletin-ab (tmpfs,
removed before every build, as is PROJECT/.bulletin-cache). Search is off
(BULLETIN_SEARCH=0), as in run-build.sh. Before each build it waits until no
process named bulletin* is left: a build's housekeeping (parse cache,
fast-path record) runs detached past its exit.

Prints, per binary, the median wall and CPU (user + system, from wait4) time,
and the median of the per-round ratios NEW/OLD.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time


def wait_for_housekeeping():
    while subprocess.run(["pgrep", "^bulletin"], stdout=subprocess.DEVNULL).returncode == 0:
        time.sleep(0.02)


def build(binary, project, out, env):
    wait_for_housekeeping()
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(os.path.join(project, ".bulletin-cache"), ignore_errors=True)
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "build", project, "-o", out], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if status != 0:
        sys.exit(f"ab.py: {binary} build {project} failed (status {status}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    old, new = (os.path.realpath(b) for b in sys.argv[2:4])
    project = sys.argv[4] if len(sys.argv) > 4 else "/tmp/bulletin-bench-build/project-10000"
    out = sys.argv[5] if len(sys.argv) > 5 else "/dev/shm/bulletin-ab"
    env = dict(os.environ, BULLETIN_SEARCH="0")
    times = {old: [], new: []}
    for i in range(runs):
        for binary in ((old, new) if i % 2 == 0 else (new, old)):
            times[binary].append(build(binary, project, out, env))
    shutil.rmtree(out, ignore_errors=True)
    for name, binary in (("old", old), ("new", new)):
        walls = [w for w, _ in times[binary]]
        cpus = [c for _, c in times[binary]]
        print(f"{name} {binary}: wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}), "
              f"CPU median {statistics.median(cpus):.3f} s")
    wall_ratio = statistics.median(n[0] / o[0] for o, n in zip(times[old], times[new]))
    cpu_ratio = statistics.median(n[1] / o[1] for o, n in zip(times[old], times[new]))
    print(f"new/old, median of {runs} paired rounds: wall {wall_ratio:.3f}, CPU {cpu_ratio:.3f}")


if __name__ == "__main__":
    main()
