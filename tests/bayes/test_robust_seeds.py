"""Every Part III model, on the chapters' data, converges on 8 sampler seeds (issue 15).

A model whose zero divergences depend on the last bit of round-off is fragile, not
converged. Each model below is sampled once with 8 seeds x 2 chains (chain ``2 s + c``
seeded by ``SEEDS[s] * 10 + c``; one compilation per model), with the chapter's
sampler settings. Asserted: no divergence in any seed's run, and rank-normalised split
r-hat over all 16 chains together (weights, means, scales) at most R_HAT_POOLED, i.e.
the runs of all 8 seeds agree with each other (a chain stuck in a mirror mode gives
r-hat 1.4 to 1.7, chapters 13 and 14). The overfitted mixtures of chapter 15 have no
identified components; for them r-hat is taken of every point's log-likelihood
log p(x_i | theta) instead. Chains are short to keep the module near 4 minutes on 2
cores (the chapters use 1000-2000 draws and assert r-hat <= 1.01 there):
with 200-400 draws per chain the r-hat estimate itself scatters by about 0.01 for a
well-mixing sampler (measured pooled values 1.007-1.013), so the bound is 1.02 here;
per-seed values are printed, not asserted.
The labelled semi-supervised model starts one chain of every seed with the two components
swapped, as chapter 14 does: its pooled r-hat then also checks that the labels identify them.
"""

import os

import mixgrad.bayes  # noqa: F401  # before pymc/pytensor: sets PyTensor's BLAS flag
import numpy as np
import pytest
from mixgrad.bayes import (
    add_log_likelihood,
    marginal_mixture,
    min_bfmi,
    n_divergences,
    n_max_treedepth,
    relabel,
    semi_supervised_mixture,
    supervised_mixture,
)
from mixgrad.datasets import heights, load_old_faithful, two_component_1d
from mixgrad.mixture import sample_mixture
from mixgrad.mixture.evaluation import partial_labels

pm = pytest.importorskip("pymc")
az = pytest.importorskip("arviz")

SEEDS = list(range(8))
CHAINS = int(os.environ.get("MIXGRAD_ROBUST_CHAINS", 4))   # per seed
DRAWS = int(os.environ.get("MIXGRAD_ROBUST_DRAWS", 500))   # per chain
R_HAT_MAX = 1.01
ONLY = os.environ.get("MIXGRAD_ROBUST_ONLY")  # a substring of a model name, for measuring


def _heights(seed):
    x, z, _ = heights(1000, rng=np.random.default_rng(seed))
    return x, z


def _ch12_n20():
    x, z = _heights(20261201)
    return supervised_mixture(x[:20], z[:20]), {}


def _ch12_2d():
    rng = np.random.default_rng(20261201)
    heights(1000, rng=rng)  # the chapter draws its 2-D data after the 1-D heights
    means = np.array([[163.0, 60.0], [177.0, 78.0]])
    cov = np.array([[[49.0, 0.6 * 63], [0.6 * 63, 81.0]],
                    [[56.25, 0.6 * 82.5], [0.6 * 82.5, 121.0]]])
    X, z = sample_mixture(300, [0.5, 0.5], means, cov, rng=rng)
    return supervised_mixture(X, z), {}


def _ch13_ordered():
    x, _, _ = two_component_1d(200, rng=np.random.default_rng(20261213))
    return marginal_mixture(x, 2), {}


def _ch13_faithful():
    return marginal_mixture(load_old_faithful(), 2), {}


def _ch14(labels_per_group):
    rng = np.random.default_rng(20261130)
    x, z, _ = heights(1000, rng=rng)
    if labels_per_group == 0:
        y = np.full(x.size, -1)
        # weakly identified (one hump): a higher target_accept keeps NUTS off the ridge
        return semi_supervised_mixture(x, y, 2, ordered=True), {"target_accept": 0.99}
    for m in (2, 5, 20):
        y = partial_labels(z, m, rng=rng)
        if m == labels_per_group:
            # as in the chapter, half of the chains start with the labelled class means
            # swapped: the labels, not the start, must bring them to one configuration
            class_means = np.array([x[y == k].mean() for k in range(2)])
            starts = [{"means": class_means[::-1] if (c // CHAINS + c) % 2 else class_means}
                      for c in range(len(SEEDS) * CHAINS)]
            # (with 300 tuning steps one swapped chain of 8 had not yet left: 500, as there)
            return semi_supervised_mixture(x, y, 2), {"initvals": starts, "tune": 500}
    raise AssertionError(labels_per_group)


def _ch15_overfitted():
    """Chapter 15's K = 3 fit: components not identified, checked on log p(x_i | theta)."""
    x, _, _ = two_component_1d(200, rng=np.random.default_rng(20261213))
    # the chapter's settings: with 300 tuning steps one seed of 8 had 4 divergences (measured)
    return marginal_mixture(x, 3), {"target_accept": 0.99, "tune": 1000, "label_free": True}


MODELS = {  # name: builder
    "ch12 supervised, 20 people": _ch12_n20,
    "ch12 supervised, 2-D LKJ": _ch12_2d,
    "ch13 marginal, ordered": _ch13_ordered,
    "ch13 Old Faithful, unordered": _ch13_faithful,
    "ch14 semi-supervised, 2 labels": lambda: _ch14(2),
    "ch14 no labels, ordered": lambda: _ch14(0),
    "ch15 overfitted K = 3": _ch15_overfitted,
}


@pytest.mark.parametrize("name", [n for n in MODELS if ONLY is None or ONLY in n])
def test_model_converges_on_8_seeds(name):
    model, settings = MODELS[name]()
    settings = {"target_accept": 0.9, "tune": 300, "draws": DRAWS, **settings}
    label_free = settings.pop("label_free", False)
    seeds = [s * 10 + c for s in SEEDS for c in range(CHAINS)]
    idata = pm.sample(chains=len(seeds), cores=2, random_seed=seeds, progressbar=False,
                      model=model, compute_convergence_checks=False, **settings)
    names = ["weights", "means", "covariances" if "chol_0" in idata["posterior"] else "sigmas"]
    if "Faithful" in name:  # unordered: relabel every draw against one reference
        idata = relabel(idata)
    if label_free:  # overfitted: r-hat of each point's log-likelihood, not of the components
        idata = add_log_likelihood(idata, model)
        names = ["x"]

    def max_rhat(run):
        rhat = az.rhat(run["log_likelihood"] if label_free else run, var_names=names)
        return round(max(float(np.max(rhat[v].values)) for v in names), 4)

    def min_ess(run):
        ess = az.ess(run["log_likelihood"] if label_free else run, var_names=names)
        return round(min(float(np.min(ess[v].values)) for v in names))

    results = []  # (seed, divergences, r-hat, bulk ESS, E-BFMI, draws at max tree depth)
    for s in SEEDS:
        run = idata.isel(chain=slice(CHAINS * s, CHAINS * (s + 1)))
        results.append((s, n_divergences(run), max_rhat(run), min_ess(run),
                         round(min_bfmi(run), 2), n_max_treedepth(run)))
    pooled = max_rhat(idata)
    print(f"\n{name}: pooled r-hat {pooled}; max per-seed r-hat "
          f"{max(r[2] for r in results)}; (seed, div, r-hat, ESS, E-BFMI, treedepth):", results)
    assert all(r[1] == 0 for r in results), (name, results)
    assert pooled <= R_HAT_MAX, (name, pooled, results)
    assert all(r[2] <= R_HAT_MAX for r in results), (name, results)
    assert all(r[4] >= 0.3 and r[5] == 0 for r in results), (name, results)
