"""EM against Adam (reverse-mode AD) to the same optimum: work and wall time.

Chapter 07 (``AD meets EM``) compares the two on standardised Old Faithful
from the same random start. Its hidden asserts check only what does not depend
on the machine, the iteration counts to within 1e-6 of the optimum. This script
measures the per-second side: the median cost of one iteration of each (median
over the iterations of one run, best of ``--repeat`` runs, the runs of the two
methods interleaved so that a busy machine slows both alike) and the time to
reach the optimum, ``iterations x cost per iteration``.

Threads: BLAS is limited to ``--threads`` (default 1) with threadpoolctl. EM's
iteration is a few small matrix products; off the Makefile's thread pins, on a
shared machine, those can become much slower (in 30 unpinned runs of the
chapter's comparison the median EM/Adam cost ratio per iteration ranged from
0.4 to 43, and 3 runs reached the optimum later with EM), while Adam's taped
Python code is hardly affected.

Run: ``python benchmarks/bench_em_vs_adam.py [--threads N] [--repeat R]``.
"""

import argparse
import warnings

import numpy as np
from mixgrad.datasets import load_old_faithful
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture import GaussianMixture
from mixgrad.mixture.gradient_fit import em_progress, gradient_ascent_gmm
from threadpoolctl import threadpool_limits


def start(X):
    """The chapter's start: one random-responsibility iteration's snapshot."""
    init = GaussianMixture(2, init_params="random", random_state=3, max_iter=1, tol=0.0,
                           keep_snapshots=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return init.fit(X).snapshots_[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (1)")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved runs (7)")
    args = parser.parse_args()
    X_raw = load_old_faithful()
    X = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)
    s0 = start(X)
    args_ = (X, s0["weights"], s0["means"], s0["covariances"])
    per_iter = {"EM": [], "Adam": []}
    with threadpool_limits(args.threads):
        for _ in range(args.repeat):
            runs = {"EM": em_progress(*args_, n_iter=80, reg_covar=0.0),
                    "Adam": gradient_ascent_gmm(*args_, n_iter=400, learning_rate=0.05)}
            for name, run in runs.items():
                per_iter[name].append(np.median(np.diff(run.history["seconds"])))
    optimum = max(r.log_likelihood for r in runs.values())
    print(f"BLAS threads {args.threads}, best of {args.repeat} interleaved runs")
    total = {}
    for name, run in runs.items():
        hit = int(np.argmax(optimum - run.history["log_likelihood"] < 1e-6))
        cost = min(per_iter[name])
        total[name] = hit * cost
        print(f"{name:4s}: {hit:3d} iterations to within 1e-6, median {cost * 1e6:7.1f} us per "
              f"iteration, {total[name] * 1e3:6.2f} ms to the optimum")
    verdict = "EM sooner" if total["EM"] < total["Adam"] else "Adam sooner"
    print(f"time to the optimum, Adam / EM: {total['Adam'] / total['EM']:.1f}x ({verdict})")


if __name__ == "__main__":
    main()
