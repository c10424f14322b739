"""Latent labels against marginalised labels: PyMC sampling speed of the unsupervised mixture.

Same data for every figure: seed 003's 1-D two-component mixture
(``mixgrad.datasets.two_component_1d``, n = 1000 by default). Printed:

- effective samples per second (ESS/s) of the latent-label model
  (``latent_mixture``: NUTS for the parameters, a Gibbs sweep over the labels)
  and of the marginalised model (``marginal_mixture``: NUTS on a
  ``NormalMixture``), both with 4 chains on 2 cores. ESS is the smallest bulk
  ESS over weights, means and sigmas; seconds are PyMC's own sampling time
  (after compilation). The latent model is slow, so it runs short chains
  (ESS/s is a rate); target: marginalised at least 30x better;
- the PyTensor compile time of the marginalised model's joint log-density and
  gradient function, cold (a fresh ``base_compiledir``, hence an empty numba
  cache, in a subprocess) and warm (a second subprocess reusing that cache);
- the warm wall time of the marginalised fit, 4 chains x 1000 draws after 1000
  tuning steps (the whole ``mixgrad.bayes.sample`` call, compilation from the
  warm cache included); target <= 10 s.

Timings depend on the machine and its load; the ratio is the robust figure.
Run: ``python benchmarks/bench_bayes.py [--n N] [--latent-draws D] [--quick]``.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import mixgrad.bayes as mb  # before pymc: sets PyTensor's BLAS flag
import numpy as np
from mixgrad.bayes.unsupervised import latent_mixture, marginal_mixture
from mixgrad.datasets import two_component_1d

PARAMS = ["weights", "means", "sigmas"]
TARGET_RATIO = 30.0
TARGET_FIT_SECONDS = 10.0
SEED = 2026

COMPILE_SCRIPT = textwrap.dedent("""
    import time
    import numpy as np
    t0 = time.perf_counter()
    import mixgrad.bayes
    import pytensor
    from mixgrad.bayes.unsupervised import marginal_mixture
    from mixgrad.datasets import two_component_1d
    t1 = time.perf_counter()
    x, _, _ = two_component_1d({n}, rng=np.random.default_rng(0))
    model = marginal_mixture(x, 2)
    logp = model.logp()
    fn = model.compile_fn([logp, *pytensor.grad(logp, model.value_vars)])
    fn(model.initial_point())  # numba compiles on the first call
    t2 = time.perf_counter()
    print(t1 - t0, t2 - t1)
""")


def compile_seconds(n, base_compiledir):
    """Import time and logp+gradient compile time in a fresh process using ``base_compiledir``."""
    env = dict(os.environ)
    flags = [f for f in env.get("PYTENSOR_FLAGS", "").split(",") if f]
    flags = [f for f in flags if not f.startswith(("base_compiledir", "compiledir"))]
    env["PYTENSOR_FLAGS"] = ",".join(flags + [f"base_compiledir={base_compiledir}"])
    out = subprocess.run([sys.executable, "-c", COMPILE_SCRIPT.format(n=n)], env=env,
                         capture_output=True, text=True, check=True)
    imports, compile_ = map(float, out.stdout.split())
    return imports, compile_


def ess_rate(idata):
    """Smallest bulk ESS over PARAMS, PyMC's sampling seconds, and their ratio."""
    report = mb.convergence_report(idata, PARAMS)
    seconds = float(idata["posterior"].attrs["sampling_time"])
    return report, seconds, report.min_ess_bulk / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="data points (1000)")
    parser.add_argument("--latent-draws", type=int, default=200,
                        help="draws (and tuning steps) per chain of the latent model (200)")
    parser.add_argument("--quick", action="store_true",
                        help="n = 300 and 100 latent draws (a smoke test, not the targets)")
    args = parser.parse_args()
    n, latent_draws = (300, 100) if args.quick else (args.n, args.latent_draws)
    x, _, _ = two_component_1d(n, rng=np.random.default_rng(20261122))
    print(f"data: two_component_1d, n = {n}; 4 chains on 2 cores; PyMC's sampling time")

    with tempfile.TemporaryDirectory(prefix="bench-bayes-") as tmp:
        cold = compile_seconds(n, tmp)
        warm = compile_seconds(n, tmp)
    print(f"compile logp + gradient (marginalised): cold {cold[1]:.2f} s, warm {warm[1]:.2f} s "
          f"(imports {warm[0]:.1f} s)", flush=True)

    marginal = marginal_mixture(x, 2)
    mb.sample(marginal, random_seed=SEED, draws=100, tune=100, cores=2)  # warm the cache
    t0 = time.perf_counter()
    idata_m = mb.sample(marginal, random_seed=SEED, draws=1000, tune=1000, chains=4, cores=2)
    fit_seconds = time.perf_counter() - t0
    rep_m, sec_m, rate_m = ess_rate(idata_m)
    print(f"marginalised: 4 x 1000 draws, warm wall time {fit_seconds:.2f} s "
          f"(sampling {sec_m:.2f} s), min bulk ESS {rep_m.min_ess_bulk:.0f}, "
          f"{rate_m:.0f} ESS/s; {rep_m}", flush=True)

    latent = latent_mixture(x, 2)
    t0 = time.perf_counter()
    idata_l = mb.sample(latent, random_seed=SEED, draws=latent_draws, tune=latent_draws,
                        chains=4, cores=2, compute_convergence_checks=False)
    latent_seconds = time.perf_counter() - t0
    rep_l, sec_l, rate_l = ess_rate(idata_l)
    print(f"latent labels: 4 x {latent_draws} draws, wall time {latent_seconds:.1f} s "
          f"(sampling {sec_l:.1f} s), min bulk ESS {rep_l.min_ess_bulk:.0f}, "
          f"{rate_l:.1f} ESS/s; max r_hat {rep_l.max_r_hat:.3f}", flush=True)

    ratio = rate_m / rate_l
    rows = [
        ("ESS/s marginalised / latent", f"{ratio:.0f}x", f">= {TARGET_RATIO:.0f}x",
         ratio >= TARGET_RATIO),
        ("warm marginalised fit, 4 x (1000 + 1000)", f"{fit_seconds:.2f} s",
         f"<= {TARGET_FIT_SECONDS:.0f} s", fit_seconds <= TARGET_FIT_SECONDS),
        ("compile logp + gradient, cold", f"{cold[1]:.2f} s", "(reported)", None),
        ("compile logp + gradient, warm", f"{warm[1]:.2f} s", "(reported)", None),
    ]
    print(f"\n{'figure':44s} {'measured':>10s} {'target':>10s}  verdict")
    for name, value, target, ok in rows:
        verdict = "" if ok is None else ("met" if ok else "NOT met")
        print(f"{name:44s} {value:>10s} {target:>10s}  {verdict}")
    if args.quick:
        print("(--quick: smaller problem; the targets are for n = 1000)")


if __name__ == "__main__":
    main()
