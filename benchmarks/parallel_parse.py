"""Cold parse + merge, serial against parallel parsing, wall and CPU time (issue 12).

    python benchmarks/parallel_parse.py --corpus /work/bench-scale/c100k --runs 3

Each measurement is a fresh process with an empty cache directory, timing
``load_corpus(link=False)`` (the ``merged`` figure of ``scale.py``: parse, write the per-file
cache entries, merge exact duplicates). Serial and parallel runs alternate so that a change in
the machine's load hits both. CPU is the whole process tree's: the measured process, the
forkserver and the workers it forked (read from /proc before the process exits, since the
forkserver is never waited for), and the resource tracker. The load average (1 minute) is
printed before and after each run: on a shared machine wall time means little without it.

"critical path" estimates what an idle machine would show as wall time: the CPU of the
measured process, plus the forkserver's own start (its imports), plus the busiest worker. For
a serial run it is the process's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _cpu(pid: int, *, reaped: bool = True) -> float:
    """User + system seconds of ``pid`` (and, with ``reaped``, of the children it reaped)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    ticks = utime + stime + (cutime + cstime if reaped else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _child(corpus: Path, min_bytes: int | None) -> None:
    started = time.perf_counter()
    import resource
    from multiprocessing import forkserver, resource_tracker

    from reader.parsing import parallel
    from reader.parsing.corpus import load_corpus

    if min_bytes is not None:
        parallel.MIN_BYTES = min_bytes
        # Measured whatever the load: the default leaves a busy machine's files in-process.
        parallel.idle_cores = lambda: float(os.cpu_count() or 1)
    workers: list[float] = []
    close = parallel._Pool.close

    def measured_close(pool: parallel._Pool[object, object]) -> None:
        # Each worker's CPU, read while it still waits for its next task.
        workers.extend(_cpu(w.process.pid or 0, reaped=False) for w in pool.workers)
        close(pool)

    parallel._Pool.close = measured_close  # type: ignore[method-assign]
    loaded = load_corpus([corpus], link=False)
    merged = time.perf_counter() - started
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = getattr(forkserver._forkserver, "_forkserver_pid", None)
    tracker = getattr(resource_tracker._resource_tracker, "_pid", None)
    helpers = [_cpu(pid) for pid in (server, tracker) if pid]
    cpu = own + children.ru_utime + children.ru_stime + sum(helpers)
    # What an idle machine would take: this process, then the forkserver's start, then
    # the busiest worker (an upper bound: our own unpickling overlaps the workers).
    critical = own + sum(_cpu(pid, reaped=False) for pid in (server, tracker) if pid)
    critical += max(workers, default=0.0)
    print(
        json.dumps(
            {"papers": len(loaded.papers), "merged": merged, "cpu": cpu, "critical": critical}
        )
    )


def _measure(corpus: Path, min_bytes: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        args = [sys.executable, __file__, "--child", str(corpus)]
        if min_bytes is not None:
            args += ["--min-bytes", str(min_bytes)]
        before = os.getloadavg()[0]
        output = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
        after = os.getloadavg()[0]
    data: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    data["load"] = (before + after) / 2
    print(
        f"  {'serial  ' if min_bytes == 1 << 62 else 'parallel'}: merged {data['merged']:.2f} s "
        f"wall, {data['cpu']:.2f} s CPU, critical path {data['critical']:.2f} s CPU, "
        f"{data['papers']:,.0f} papers "
        f"(load {before:.2f} -> {after:.2f})",
        flush=True,
    )
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--min-bytes", type=int, default=0, help="parallel runs: threshold")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.min_bytes)
        return
    if args.corpus is None:
        parser.error("--corpus is required")
    size = sum(p.stat().st_size for p in args.corpus.rglob("*") if p.is_file())
    print(f"{args.corpus}: {size / 1e6:.0f} MB; cores {len(os.sched_getaffinity(0))}")
    runs: dict[str, list[dict[str, float]]] = {"serial": [], "parallel": []}
    for _ in range(args.runs):
        runs["serial"].append(_measure(args.corpus, 1 << 62))
        runs["parallel"].append(_measure(args.corpus, args.min_bytes))
    for mode, results in runs.items():
        wall = statistics.median(r["merged"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        critical = statistics.median(r["critical"] for r in results)
        print(
            f"{mode}: median merged {wall:.2f} s wall, {cpu:.2f} s CPU, critical path "
            f"{critical:.2f} s CPU ({len(results)} runs)"
        )


if __name__ == "__main__":
    main()
