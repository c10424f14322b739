"""Posterior predictive class probabilities (label_posterior(predictive=True)) vs independent ones.

Review of Part III, 2.1: for a new point x* the posterior predictive probability of
class k is E[pi_k N(x* | theta_k)] / E[sum_l pi_l N(x* | theta_l)], a ratio of
averages, not the average of the per-draw ratios.
"""

import mixgrad.bayes  # noqa: F401  # before pymc/pytensor: sets PyTensor's BLAS flag
import numpy as np
import pytest
from arviz_base import from_dict
from mixgrad.bayes import class_probability_draws, label_posterior
from scipy import stats


def _idata(weights, means, sigmas):
    """Posterior with one chain of the given draws (S, k)."""
    return from_dict({"posterior": {"weights": weights[None], "means": means[None],
                                    "sigmas": sigmas[None]}},
                     dims={"weights": ["component"], "means": ["component"],
                           "sigmas": ["component"]})


def _conjugate_draws(rng, xs, zs, n_draws, alpha=2.0):
    """Exact posterior draws of a labelled 1-D mixture under the Jeffreys-type prior
    p(mu_k, sigma_k) ~ 1/sigma_k and Dirichlet(alpha) weights (factorises by class)."""
    k = zs.max() + 1
    counts = np.bincount(zs, minlength=k)
    weights = rng.dirichlet(alpha + counts, size=n_draws)
    means, sigmas = np.empty((n_draws, k)), np.empty((n_draws, k))
    for j in range(k):
        xj = xs[zs == j]
        n, xbar, s2 = xj.size, xj.mean(), xj.var(ddof=1)
        var = (n - 1) * s2 / rng.chisquare(n - 1, size=n_draws)       # scaled inv-chi^2
        sigmas[:, j] = np.sqrt(var)
        means[:, j] = rng.normal(xbar, sigmas[:, j] / np.sqrt(n))
    return weights, means, sigmas, counts


def test_predictive_is_bayes_rule_with_student_t_class_densities():
    rng = np.random.default_rng(0)
    xs = np.concatenate([rng.normal(165, 8.5, 12), rng.normal(177, 5.8, 8)])
    zs = np.repeat([0, 1], [12, 8])
    weights, means, sigmas, counts = _conjugate_draws(rng, xs, zs, 200_000)
    grid = np.array([150.0, 170.0, 190.0, 200.0])
    got = label_posterior(_idata(weights, means, sigmas), grid, predictive=True)
    # closed form: E[pi_k | z] = (alpha + n_k)/(n + k alpha) times the Student-t predictive
    # of class k, t_{n_k-1}(xbar_k, s_k sqrt(1 + 1/n_k))  (Gelman et al. BDA3 sec. 3.2)
    dens = np.column_stack([
        stats.t(c - 1, xs[zs == j].mean(), xs[zs == j].std(ddof=1) * np.sqrt(1 + 1 / c)).pdf(grid)
        for j, c in enumerate(counts)])
    exact = (2.0 + counts) / (counts.sum() + 4.0) * dens
    exact /= exact.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(got, exact, atol=0.01)
    # the average of the per-draw ratios is a different quantity, far off in the tail
    averaged = class_probability_draws(_idata(weights, means, sigmas), grid).mean(axis=0)
    assert abs(averaged[-1, 1] - exact[-1, 1]) > 0.05


def test_predictive_matches_a_direct_scipy_loop():
    rng = np.random.default_rng(1)
    s, k = 37, 3
    weights = rng.dirichlet(np.ones(k), size=s)
    means = rng.normal(0, 3, size=(s, k))
    sigmas = rng.uniform(0.5, 2, size=(s, k))
    points = np.linspace(-6, 6, 9)
    idata = _idata(weights, means, sigmas)
    joint = np.array([[weights[d, j] * stats.norm(means[d, j], sigmas[d, j]).pdf(points)
                       for j in range(k)] for d in range(s)])           # (s, k, n)
    predictive = joint.sum(axis=0).T / joint.sum(axis=(0, 1))[:, None]
    in_sample = (joint / joint.sum(axis=1, keepdims=True)).mean(axis=0).T
    for chunk in (5, 500):  # the chunked log-sum-exp gives the same numbers
        np.testing.assert_allclose(label_posterior(idata, points, predictive=True, chunk=chunk),
                                   predictive, rtol=1e-10)
        np.testing.assert_allclose(label_posterior(idata, points, chunk=chunk), in_sample,
                                   rtol=1e-10)
    np.testing.assert_allclose(class_probability_draws(idata, points).mean(axis=0), in_sample,
                               rtol=1e-10)


def test_predictive_flag_is_checked():
    rng = np.random.default_rng(2)
    idata = _idata(rng.dirichlet([1, 1], 4), rng.normal(size=(4, 2)), np.ones((4, 2)))
    with pytest.raises(TypeError, match="predictive must be True or False"):
        label_posterior(idata, [0.0], predictive="yes")
