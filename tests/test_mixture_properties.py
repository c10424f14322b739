"""Invariants of EM, checked by hypothesis on generated data and parameters."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mixgrad.mixture import GaussianMixture
from mixgrad.mixture.covariance import COVARIANCE_TYPES, precisions_cholesky_from_covariances
from mixgrad.mixture.em import m_step, responsibilities
from mixgrad.mixture.engines import DirectEM, StatsEM
from mixgrad.mixture.likelihood import elbo, kl, log_likelihood

finite = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)
positive = st.floats(0.05, 1.0)


@st.composite
def mixtures(draw, max_k=3, max_d=3):
    """Data, a mixture (weights, means, covariances, factors) and its covariance type."""
    n = draw(st.integers(2, 25))
    k = draw(st.integers(1, max_k))
    d = draw(st.integers(1, max_d))
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    X = draw(arrays(np.float64, (n, d), elements=finite))
    means = draw(arrays(np.float64, (k, d), elements=finite))
    raw = draw(arrays(np.float64, (k,), elements=positive))
    weights = raw / raw.sum()
    if covariance_type in ("full", "tied"):
        shape = (k, d, d) if covariance_type == "full" else (d, d)
        a = draw(arrays(np.float64, shape, elements=st.floats(-1.0, 1.0)))
        cov = a @ np.swapaxes(a, -1, -2) + 0.5 * np.eye(d)
    else:
        shape = (k, d) if covariance_type == "diag" else (k,)
        cov = draw(arrays(np.float64, shape, elements=st.floats(0.5, 3.0)))
    prec = precisions_cholesky_from_covariances(cov, covariance_type)
    return X, weights, means, cov, prec, covariance_type


@given(mixtures())
def test_responsibilities_are_distributions(case):
    X, weights, means, _, prec, covariance_type = case
    resp, log_prob_norm = responsibilities(X, weights, means, prec, covariance_type)
    assert np.all(resp >= 0) and np.all(resp <= 1)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(np.isfinite(log_prob_norm))


@given(mixtures(), st.data())
def test_log_likelihood_is_elbo_plus_kl_for_any_q(case, data):
    X, weights, means, _, prec, covariance_type = case
    k = len(weights)
    raw = data.draw(arrays(np.float64, (len(X), k), elements=st.floats(0.0, 1.0)))
    q = (raw + 1e-3) / (raw + 1e-3).sum(axis=1, keepdims=True)
    posterior, _ = responsibilities(X, weights, means, prec, covariance_type)
    ll = log_likelihood(X, weights, means, prec, covariance_type)
    bound = elbo(X, q, weights, means, prec, covariance_type)
    gap = kl(q, posterior)
    assert gap >= -1e-12 and bound <= ll + 1e-10 * (1 + abs(ll))
    assert ll == pytest.approx(bound + gap, rel=1e-9, abs=1e-9)


@given(mixtures())
def test_after_the_e_step_kl_is_zero_and_the_bound_is_tight(case):
    X, weights, means, _, prec, covariance_type = case
    posterior, _ = responsibilities(X, weights, means, prec, covariance_type)
    assert kl(posterior, posterior) == 0.0
    ll = log_likelihood(X, weights, means, prec, covariance_type)
    assert elbo(X, posterior, weights, means, prec, covariance_type) == pytest.approx(
        ll, rel=1e-10, abs=1e-10
    )


@pytest.mark.filterwarnings("ignore::mixgrad.exceptions.ConvergenceWarning")
@given(mixtures(), st.sampled_from(["stats", "direct"]))
def test_em_never_decreases_the_log_likelihood(case, solver):
    X, weights, means, cov, _, covariance_type = case
    k = len(weights)
    if len(X) < k:
        X = np.vstack([X] * k)
    precisions = {"full": np.linalg.inv, "tied": np.linalg.inv}.get(covariance_type,
                                                                    lambda c: 1.0 / c)(cov)
    gm = GaussianMixture(k, covariance_type=covariance_type, tol=0, max_iter=12, solver=solver,
                         weights_init=weights, means_init=means, precisions_init=precisions)
    h = gm.fit(X).history_
    slack = 1e-10 * (1 + np.abs(h.log_likelihood))
    assert np.all(np.diff(h.log_likelihood) >= -slack[1:])
    assert np.all(h.elbo_m_step >= h.elbo_e_step - slack)  # the M-step raises the bound
    assert np.all(h.kl >= -slack)  # ... and the likelihood stays above it
    np.testing.assert_allclose(h.elbo_e_step[1:], h.log_likelihood[:-1], rtol=1e-9, atol=1e-9)


@given(mixtures())
def test_stats_and_direct_engines_agree(case):
    X, weights, means, cov, prec, covariance_type = case
    k = len(weights)
    start = (weights, means, cov, prec)
    fast, fast_info = StatsEM(X, k, covariance_type, 1e-6).step(start)
    slow, slow_info = DirectEM(X, k, covariance_type, 1e-6).step(start)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10 * np.abs(b).max())
    for key in ("objective", "elbo_e_step", "elbo_m_step"):
        assert fast_info[key] == pytest.approx(slow_info[key], rel=1e-9, abs=1e-9)


@given(mixtures())
def test_m_step_weights_are_a_distribution_and_covariances_positive(case):
    X, weights, means, _, prec, covariance_type = case
    resp, _ = responsibilities(X, weights, means, prec, covariance_type)
    new_weights, new_means, new_cov = m_step(X, resp, covariance_type, 1e-6)
    assert new_weights.sum() == pytest.approx(1.0, abs=1e-12) and np.all(new_weights > 0)
    assert np.all(np.isfinite(new_means))
    mats = new_cov if covariance_type in ("full", "tied") else None
    if mats is not None:
        assert np.all(np.linalg.eigvalsh(mats) > 0)
    else:
        assert np.all(new_cov >= 1e-6)
