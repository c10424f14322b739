"""Means-only toy EM: scipy reference for one step, monotone log-likelihood, stationarity."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.toy import toy_em_means, toy_log_likelihood, toy_responsibilities
from scipy import optimize, stats


def _two_groups(rng, n=200):
    return np.concatenate([rng.normal(-2, 1, n // 2), rng.normal(3, 1, n - n // 2)])


def test_one_step_matches_formulas_with_scipy_densities(rng):
    x = _two_groups(rng)
    mu0, sigma = np.array([-1.0, 0.5, 4.0]), 1.3
    dens = stats.norm.pdf(x[:, None], mu0[None, :], sigma)
    R = dens / dens.sum(1, keepdims=True)
    np.testing.assert_allclose(toy_responsibilities(x, mu0, sigma=sigma), R, rtol=1e-12)
    mu1 = (R * x[:, None]).sum(0) / R.sum(0)
    res = toy_em_means(x, mu0, sigma=sigma, n_iter=1, tol=None)
    np.testing.assert_allclose(res.history["means"][1], mu1, rtol=1e-12)
    ll = np.log(dens.mean(1)).sum()
    np.testing.assert_allclose(res.history["log_likelihood"][0], ll, rtol=1e-12)
    np.testing.assert_allclose(toy_log_likelihood(x, mu0, sigma=sigma), ll, rtol=1e-12)


def test_one_component_gives_sample_mean_in_one_step(rng):
    x = rng.normal(size=50)
    res = toy_em_means(x, [10.0])
    np.testing.assert_allclose(res.history["means"][1], [x.mean()], rtol=1e-13)
    assert res.converged


@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 4),
    sigma=st.floats(0.2, 3.0),
)
def test_log_likelihood_never_decreases(seed, k, sigma):
    rng = np.random.default_rng(seed)
    x = _two_groups(rng, 60)
    res = toy_em_means(x, rng.normal(0, 3, size=k), sigma=sigma, n_iter=30, tol=None)
    ll = res.history["log_likelihood"]
    assert ll.shape == (31,) and res.history["means"].shape == (31, k)
    assert np.all(np.diff(ll) >= -1e-9 * np.abs(ll[:-1]))
    np.testing.assert_allclose(res.responsibilities.sum(1), 1.0)


def test_converges_to_a_stationary_local_maximum(rng):
    x = _two_groups(rng)
    res = toy_em_means(x, [-0.5, 0.5], n_iter=1000, tol=1e-12)
    assert res.converged

    def nll(m):
        return -toy_log_likelihood(x, m)

    # Independent check: finite-difference gradient vanishes, and a quasi-Newton
    # optimiser started at the EM answer cannot improve on it.
    grad = optimize.approx_fprime(res.means, nll, 1e-6)
    assert np.max(np.abs(grad)) < 1e-3
    opt = optimize.minimize(nll, res.means, method="BFGS")
    assert -opt.fun <= res.log_likelihood + 1e-8
    np.testing.assert_allclose(opt.x, res.means, atol=1e-5)
    np.testing.assert_allclose(np.sort(res.means), [-2, 3], atol=0.4)


def test_warns_when_not_converged(rng):
    x = _two_groups(rng)
    with pytest.warns(ConvergenceWarning, match="n_iter=2"):
        res = toy_em_means(x, [0.0, 0.1], n_iter=2)
    assert not res.converged and res.n_iter == 2


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([[[1.0, 2.0]]], [0.0]), {}, ValueError, "x must have"),
        (([[1.0, 2.0]], [0.0]), {}, ValueError, "means_init must have 2"),
        (([[1.0, 2.0]], [[0.0]]), {}, ValueError, "means_init must have n_features = 2"),
        (([1.0, np.nan], [0.0]), {}, ValueError, "x contains NaN"),
        (([], [0.0]), {}, ValueError, "x must contain at least one"),
        (([1.0, 2.0], []), {}, ValueError, "means_init must contain"),
        (([1.0, 2.0], [[0.0]]), {}, ValueError, "means_init must have 1"),
        (([1.0, 2.0], [0.0]), {"sigma": 0.0}, ValueError, "sigma must be finite and > 0"),
        (([1.0, 2.0], [0.0]), {"n_iter": 0}, ValueError, "n_iter must be >= 1"),
        (([1.0, 2.0], [0.0]), {"tol": -1.0}, ValueError, "tol must be"),
        (("ab", [0.0]), {}, TypeError, "x must be a numeric"),
    ],
)
def test_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        toy_em_means(*args, **kwargs)
