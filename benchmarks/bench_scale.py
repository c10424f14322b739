"""Benchmark of EM on data beyond memory: a Dask LocalCluster against the in-memory engine.

A script, not a test (timings never appear in tests). The data are a
three-component mixture in d = 2, generated block by block with
``default_rng(seed + block)`` inside ``dask.array.map_blocks``: never
materialised as one array (n = 10^8 would take 1.6 GB). With ``--source npy``
(the default) the blocks are written once to a directory of ``.npy`` files
(``dask.array.to_npy_stack``, block by block) and every pass reads them back
memory-mapped, as data beyond memory would be read; with ``--source generate``
they are regenerated at every pass (no disk, but each pass then pays for the
random numbers, about 2.4 in-memory E-steps per point). On a
``distributed.LocalCluster`` (2 worker processes, one thread each,
loopback, no dashboard) it reports

1. seconds per EM iteration of :class:`~mixgrad.mixture.scale.DaskEM` (the
   engine behind ``GaussianMixture.fit`` on a dask array), and its points per
   second against the in-memory :class:`~mixgrad.mixture.stats.StatsEM` on
   n = 10^6 stored points (target: at least 60 %);
2. the peak resident memory of the client + scheduler process, the nannies and
   the workers together, sampled every 0.1 s (target: under 1 GB);
3. the mean log-likelihood gap between a one-pass mini-batch fit
   (:class:`~mixgrad.mixture.stepwise.MiniBatchGaussianMixture`) and the
   full-batch EM fit.

Run with ``.venv/bin/python benchmarks/bench_scale.py`` (n = 10^8; about ten
passes over the data, each regenerating it) or ``--n 1e6`` for a quick check.
On the development machine (2 cores shared with other jobs, load ~20) n = 3e7
took 6 minutes; the per-iteration CPU time grows linearly in n and the peak
memory does not grow with n (it is set by the block size).
"""

import argparse
import os
import shutil
import tempfile
import threading
import time

import dask.array as da
import distributed
import numpy as np
import psutil
from mixgrad.mixture import GaussianMixture
from mixgrad.mixture.scale import DaskEM
from mixgrad.mixture.stats import StatsEM
from mixgrad.mixture.stepwise import MiniBatchGaussianMixture
from mixgrad.timing import timing_line

WEIGHTS = np.array([0.5, 0.3, 0.2])
MEANS = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])
SCALES = np.array([1.0, 0.6, 0.8])


def make_block(seed, block_info=None):
    """One row block of the mixture, from its own generator ``default_rng(seed + block)``."""
    index = block_info[None]["chunk-location"][0]
    rows = block_info[None]["chunk-shape"][0]
    rng = np.random.default_rng(seed + index)
    z = rng.choice(3, size=rows, p=WEIGHTS)
    return MEANS[z] + SCALES[z, None] * rng.standard_normal((rows, 2))


def mixture_array(n, chunk, seed=0):
    """A lazy (n, 2) dask array of mixture samples, chunked by rows."""
    chunks = (chunk,) * (n // chunk) + ((n % chunk,) if n % chunk else ())
    return da.map_blocks(make_block, seed, dtype=np.float64, chunks=(chunks, (2,)))


class PeakRSS:
    """Peak of the summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, interval=0.1):
        self.interval, self.peak, self.parts = interval, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            parts = {"client+scheduler": me.memory_info().rss, "child processes": 0}
            for child in me.children(recursive=True):  # the workers (and a resource tracker)
                try:
                    parts["child processes"] += child.memory_info().rss
                except psutil.Error:
                    continue
            total = sum(parts.values())
            if total > self.peak:
                self.peak, self.parts = total, parts
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def cpu_seconds():
    """CPU time (user + system) of this process and of its children (the workers)."""
    me = psutil.Process()
    own = sum(me.cpu_times()[:2])
    children = 0.0
    for child in me.children(recursive=True):
        try:
            children += sum(child.cpu_times()[:2])
        except psutil.Error:
            continue
    return own, children


def timed(f, *args, **kwargs):
    t0 = time.perf_counter()
    out = f(*args, **kwargs)
    return out, time.perf_counter() - t0


def in_memory_throughput(n=1_000_000, iters=15):
    """Seconds of one in-memory StatsEM iteration on ``n`` stored points (best of ``iters``)."""
    X = mixture_array(n, min(n, 1_000_000), seed=1).compute()
    params = GaussianMixture(3, random_state=0).fit(X[::10])._current_params()
    engine = StatsEM(X, 3, "full", 1e-6, record_history=False)
    best, cpu = np.inf, np.inf
    for _ in range(iters):
        c0 = time.process_time()
        (params, _), seconds = timed(engine.step, params)
        best, cpu = min(best, seconds), min(cpu, time.process_time() - c0)
    return best, cpu


def say(text):
    print(text, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=float, default=1e8, help="number of points (default 1e8)")
    parser.add_argument("--chunk", type=int, default=1_000_000, help="rows per block")
    parser.add_argument("--iters", type=int, default=4, help="timed EM iterations")
    parser.add_argument("--batch-size", type=int, default=10_000, help="mini-batch size")
    parser.add_argument("--source", choices=("npy", "generate"), default="npy",
                        help="read the blocks from .npy files written once (default), or "
                             "regenerate them at every pass")
    parser.add_argument("--dir", default=None, help="directory for the .npy blocks (default: a "
                        "temporary directory, removed at the end)")
    args = parser.parse_args()
    n = int(args.n)
    X = mixture_array(n, min(args.chunk, n))
    store = None
    if args.source == "npy":
        store = args.dir or tempfile.mkdtemp(prefix="bench_scale_")
        (_, seconds) = timed(da.to_npy_stack, store, X)  # block by block, never one array
        say(timing_line(f"writing the blocks once to {store}", seconds))
        X = da.from_npy_stack(store, mmap_mode="r")
    say(f"n = {n:.3g} points, d = 2, k = 3, {X.numblocks[0]} blocks of {X.chunks[0][0]} rows "
        f"({X.nbytes / 2**30:.2f} GiB if materialised); cluster: 2 worker processes x 1 thread")
    memory_step, memory_cpu = in_memory_throughput()
    say(timing_line("in-memory StatsEM iteration at n = 1e6 (best of 15)", memory_step)
        + f", CPU {memory_cpu:.3f} s")
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   protocol="tcp", host="127.0.0.1", dashboard_address=None,
                                   silence_logs=50) as cluster,
          distributed.Client(cluster),
          PeakRSS() as memory):
        _, generate = timed(lambda: X.sum().compute())
        say(timing_line(f"one pass over the data alone (X.sum(), source {args.source})", generate))
        engine, setup = timed(DaskEM, X, 3, "full", 1e-6, record_history=False)
        say(timing_line("setup pass (centre, floor, strided sample)", setup))
        params = GaussianMixture(3, random_state=0).fit(engine.sample)._current_params()
        seconds, cpus = [], []
        for i in range(args.iters):
            own, workers = cpu_seconds()
            (params, _), s = timed(engine.step, params)
            own1, workers1 = cpu_seconds()
            seconds.append(s)
            cpus.append((own1 - own, workers1 - workers))
            say(timing_line(f"Dask EM iteration {i + 1}", s) + f", CPU: client+scheduler "
                f"{own1 - own:.2f} s, workers {workers1 - workers:.2f} s")
        full_ll = engine.objective(params)
        mb = MiniBatchGaussianMixture(3, batch_size=args.batch_size, max_iter=1, random_state=0)
        _, mb_seconds = timed(mb.fit, X)
        say(timing_line(f"mini-batch fit, one pass (batch_size={args.batch_size})", mb_seconds))
        mb_ll = engine.objective(mb._current_params())
    per_iter = float(np.median(seconds))
    ratio = (n / per_iter) / (1e6 / memory_step)
    say(f"points/s: Dask {n / per_iter:.3g} (median iteration {per_iter:.2f} s), in-memory "
        f"{1e6 / memory_step:.3g}; ratio {ratio:.2f} (target >= 0.60) "
        f"{'ok' if ratio >= 0.6 else 'BELOW TARGET'}")
    cpu = float(np.median([a + b for a, b in cpus]))
    cpu_ratio = (n / cpu) / (1e6 / memory_cpu)
    say(f"points per CPU-second (all processes): Dask {n / cpu:.3g}, in-memory "
        f"{1e6 / memory_cpu:.3g}; ratio {cpu_ratio:.2f}")
    say(f"EM work per iteration without the pass over the data: {per_iter - generate:.2f} s; "
        f"ratio on that basis {(n / max(per_iter - generate, 1e-9)) / (1e6 / memory_step):.2f}")
    parts = ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in memory.parts.items())
    say(f"peak RSS together {memory.peak / 2**20:.0f} MiB ({parts}); target < 1024 MiB "
        f"{'ok' if memory.peak < 2**30 else 'ABOVE TARGET'}")
    say(f"mean log-likelihood: full batch ({args.iters} iterations from the sample's fit) "
        f"{full_ll:.6f}, mini-batch one pass {mb_ll:.6f}, gap {full_ll - mb_ll:.2e} nats per point")
    say(f"os.cpu_count() = {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    if store is not None and args.dir is None:
        shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
