"""EM steps: the reference path, the sufficient-statistics path, and scikit-learn."""

import mixgrad.mixture.stats as stats_module
import numpy as np
import pytest
from mixgrad.mixture import GaussianMixture
from mixgrad.mixture.covariance import COVARIANCE_TYPES, precisions_cholesky_from_covariances
from mixgrad.mixture.em import (
    e_step,
    estimate_log_prob_resp,
    m_step,
    pin_responsibilities,
    responsibilities,
    weighted_log_prob,
)
from mixgrad.mixture.engines import DirectEM, StatsEM
from mixgrad.mixture.expfamily import design_matrix, natural_parameters
from mixgrad.mixture.likelihood import collapsing_log_likelihood, elbo, kl, log_likelihood
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::mixgrad.exceptions.ConvergenceWarning",
)


def blobs(rng, n=300, d=2, k=3, spread=4.0, scale=1.0):
    """Anisotropic Gaussian blobs (the random-data helper of these tests)."""
    centers = rng.uniform(-spread, spread, size=(k, d))
    z = rng.integers(k, size=n)
    return centers[z] + scale * rng.standard_normal((n, d)) @ rng.standard_normal((d, d)), z


def sklearn_start(X, k, covariance_type):
    """Valid starting parameters: one scikit-learn EM step from random samples."""
    sk = SkGaussianMixture(k, covariance_type=covariance_type, max_iter=1,
                           init_params="random_from_data", random_state=0).fit(X)
    return sk.weights_, sk.means_, sk.covariances_, sk.precisions_cholesky_, sk.precisions_


def assert_rel(actual, expected, rel):
    """max |actual - expected| <= rel * max |expected| (relative to the largest entry)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert np.max(np.abs(actual - expected)) <= rel * np.max(np.abs(expected))


# --- E-step against scipy -------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_responsibilities_match_scipy(rng, covariance_type):
    X, _ = blobs(rng, n=50, d=3)
    w, m, cov, prec, _ = sklearn_start(X, 3, covariance_type)
    resp, log_prob_norm = responsibilities(X, w, m, prec, covariance_type)
    if covariance_type == "tied":
        mats = [cov] * 3
    elif covariance_type == "diag":
        mats = [np.diag(c) for c in cov]
    elif covariance_type == "spherical":
        mats = [c * np.eye(3) for c in cov]
    else:
        mats = list(cov)
    joint = np.column_stack(
        [np.log(w[j]) + multivariate_normal(m[j], mats[j]).logpdf(X) for j in range(3)]
    )
    np.testing.assert_allclose(weighted_log_prob(X, w, m, prec, covariance_type), joint,
                               rtol=1e-11)
    np.testing.assert_allclose(log_prob_norm, logsumexp(joint, axis=1), rtol=1e-11)
    np.testing.assert_allclose(resp, np.exp(joint - logsumexp(joint, axis=1)[:, None]),
                               rtol=1e-10, atol=1e-14)
    log_resp, _ = estimate_log_prob_resp(X, w, m, prec, covariance_type)
    np.testing.assert_allclose(np.exp(log_resp), resp, rtol=1e-12)
    assert log_likelihood(X, w, m, prec, covariance_type) == pytest.approx(log_prob_norm.mean())


# --- M-step against numpy's weighted covariances ------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_m_step_matches_weighted_numpy(rng, covariance_type):
    X, _ = blobs(rng, n=80, d=3)
    resp = rng.dirichlet(np.ones(3), size=80)
    reg = 1e-3
    weights, means, cov = m_step(X, resp, covariance_type, reg)
    nk = resp.sum(axis=0)
    np.testing.assert_allclose(weights, nk / 80, rtol=1e-12)
    expected_means = np.array([np.average(X, axis=0, weights=resp[:, j]) for j in range(3)])
    np.testing.assert_allclose(means, expected_means, rtol=1e-12)
    per = np.array([np.cov(X.T, aweights=resp[:, j], bias=True) for j in range(3)])
    expected = {
        "full": per + reg * np.eye(3),
        "tied": np.einsum("k,kij->ij", nk, per) / 80 + reg * np.eye(3),
        "diag": np.diagonal(per, axis1=1, axis2=2) + reg,
        "spherical": np.diagonal(per, axis1=1, axis2=2).mean(axis=1) + reg,
    }[covariance_type]
    np.testing.assert_allclose(cov, expected, rtol=1e-11)


def test_m_step_with_one_hot_resp_is_the_supervised_mle(rng):
    X, z = blobs(rng, n=60, d=2)
    resp = np.eye(3)[z]
    weights, means, cov = m_step(X, resp, "full", 0.0)
    for j in range(3):
        Xj = X[z == j]
        np.testing.assert_allclose(means[j], Xj.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(cov[j], np.cov(Xj.T, bias=True), rtol=1e-11)
    np.testing.assert_allclose(weights, np.bincount(z) / 60, rtol=1e-12)


# --- whole trajectories against scikit-learn -------------------------------------------


@pytest.mark.parametrize("solver", ["stats", "direct"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_trajectory_matches_sklearn_every_iteration(rng, covariance_type, solver):
    X, _ = blobs(rng, n=400, d=3, k=3)
    w, m, _, _, precisions = sklearn_start(X, 3, covariance_type)
    init = {"weights_init": w, "means_init": m, "precisions_init": precisions}
    ours = GaussianMixture(3, covariance_type=covariance_type, tol=0, max_iter=10,
                           keep_snapshots=True, solver=solver, **init).fit(X)
    assert ours.n_iter_ == 10 and len(ours.snapshots_) == 11
    for t in range(1, 11):
        sk = SkGaussianMixture(3, covariance_type=covariance_type, tol=0, max_iter=t,
                               **init).fit(X)
        snap = ours.snapshots_[t]
        assert_rel(snap["weights"], sk.weights_, 1e-10)
        assert_rel(snap["means"], sk.means_, 1e-10)
        assert_rel(snap["covariances"], sk.covariances_, 1e-10)
        assert ours.lower_bounds_[t - 1] == pytest.approx(sk.lower_bound_, rel=1e-10)
    assert ours.lower_bound_ == pytest.approx(sk.lower_bound_, rel=1e-10)
    assert_rel(ours.precisions_cholesky_, sk.precisions_cholesky_, 1e-10)
    assert_rel(ours.precisions_, sk.precisions_, 1e-10)


# --- the fast path against the reference path --------------------------------------------


def run_engine(engine, params, steps):
    out = []
    for _ in range(steps):
        params, info = engine.step(params)
        out.append((params, info))
    return out


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_stats_engine_equals_direct_engine(rng, covariance_type):
    X, _ = blobs(rng, n=500, d=4, k=4)
    labels = np.where(rng.random(500) < 0.2, rng.integers(4, size=500), -1)
    w, m, cov, prec, _ = sklearn_start(X, 4, covariance_type)
    for lab in (None, labels):
        fast = run_engine(StatsEM(X, 4, covariance_type, 1e-6, labels=lab, block_size=64),
                          (w, m, cov, prec), 5)
        slow = run_engine(DirectEM(X, 4, covariance_type, 1e-6, labels=lab), (w, m, cov, prec), 5)
        for (pf, inf_f), (ps, inf_s) in zip(fast, slow, strict=True):
            for a, b in zip(pf, ps, strict=True):
                assert_rel(a, b, 1e-11)
            for key in ("objective", "elbo_e_step", "elbo_m_step"):
                assert inf_f[key] == pytest.approx(inf_s[key], rel=1e-11)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_tight_far_clusters_stay_accurate(rng, covariance_type, monkeypatch):
    # Clusters of width 1e-3 at distance ~1e3 from the data's centre: the one-product
    # form would subtract numbers ~1e12 times larger than the result.
    d, k = 2, 3
    centers = np.array([[1e3, 0.0], [-1e3, 5e2], [0.0, -1e3]])
    z = np.repeat(np.arange(k), 100)
    X = centers[z] + 1e-3 * rng.standard_normal((300, d))
    resp = np.eye(k)[z] * 0.98 + 0.01 * rng.random((300, k))
    w, m, cov = m_step(X, resp / resp.sum(1, keepdims=True), covariance_type, 1e-12)
    params = (w, m, cov, precisions_cholesky_from_covariances(cov, covariance_type))
    slow = run_engine(DirectEM(X, k, covariance_type, 1e-12), params, 3)
    fast = run_engine(StatsEM(X, k, covariance_type, 1e-12), params, 3)
    for (pf, _), (ps, _) in zip(fast, slow, strict=True):
        for a, b in zip(pf, ps, strict=True):
            assert_rel(a, b, 1e-9)
    # the test is sensitive: without the fallbacks the covariances are wrong
    monkeypatch.setattr(stats_module, "Q_MAX", np.inf)
    monkeypatch.setattr(stats_module, "R_MAX", np.inf)
    try:
        naive = run_engine(StatsEM(X, k, covariance_type, 1e-12), params, 1)[0][0]
    except ValueError:  # or the one-product covariance is not even positive definite
        return
    assert np.max(np.abs(naive[2] - slow[0][0][2])) > 1e-6 * np.max(np.abs(slow[0][0][2]))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_design_matrix_times_natural_parameters_is_the_joint_log_density(rng, covariance_type):
    X, _ = blobs(rng, n=30, d=3)
    w, m, _, prec, _ = sklearn_start(X, 3, covariance_type)
    T, center = design_matrix(X, covariance_type)
    W = natural_parameters(w, m, prec, covariance_type, center)
    np.testing.assert_allclose(T @ W.T, weighted_log_prob(X, w, m, prec, covariance_type),
                               rtol=1e-11)
    assert T.shape[1] == {"full": 10, "tied": 10, "diag": 7, "spherical": 5}[covariance_type]


# --- ELBO and KL --------------------------------------------------------------------------


def test_kl_is_zero_at_the_posterior_and_elbo_is_the_likelihood(rng):
    X, _ = blobs(rng, n=40)
    w, m, _, prec, _ = sklearn_start(X, 3, "full")
    post, _ = responsibilities(X, w, m, prec, "full")
    assert kl(post, post) == 0.0
    assert elbo(X, post, w, m, prec, "full") == pytest.approx(
        log_likelihood(X, w, m, prec, "full"), rel=1e-12
    )
    q = rng.dirichlet(np.ones(3), size=40)
    assert kl(q, post) > 0
    q0 = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert kl(q0, np.array([[0.0, 1.0], [0.5, 0.5]])) == np.inf


def test_history_agrees_with_elbo_and_kl_functions(rng):
    X, _ = blobs(rng, n=200)
    gm = GaussianMixture(3, keep_snapshots=True, tol=0, max_iter=6, random_state=0).fit(X)
    h = gm.history_
    for t in range(1, 7):
        before, after = gm.snapshots_[t - 1], gm.snapshots_[t]
        old = [before[key] for key in ("weights", "means")]
        new = [after[key] for key in ("weights", "means")]
        prec_old = precisions_cholesky_from_covariances(before["covariances"], "full")
        prec_new = precisions_cholesky_from_covariances(after["covariances"], "full")
        q, _ = responsibilities(X, *old, prec_old, "full")
        post_new, _ = responsibilities(X, *new, prec_new, "full")
        assert h.elbo_e_step[t - 1] == pytest.approx(elbo(X, q, *old, prec_old, "full"), rel=1e-10)
        assert h.elbo_m_step[t - 1] == pytest.approx(elbo(X, q, *new, prec_new, "full"), rel=1e-10)
        assert h.kl[t - 1] == pytest.approx(kl(q, post_new), rel=1e-6, abs=1e-12)
        assert h.log_likelihood[t - 1] == pytest.approx(
            log_likelihood(X, *new, prec_new, "full"), rel=1e-10
        )


# --- semi-supervised pieces ----------------------------------------------------------------


def test_e_step_pins_labelled_rows(rng):
    X, _ = blobs(rng, n=20)
    w, m, _, prec, _ = sklearn_start(X, 3, "diag")
    labels = np.full(20, -1)
    labels[:5] = [0, 1, 2, 0, 1]
    resp, objective = e_step(X, w, m, prec, "diag", labels=labels)
    np.testing.assert_array_equal(resp[:5], np.eye(3)[labels[:5]])
    free, _ = responsibilities(X, w, m, prec, "diag")
    np.testing.assert_allclose(resp[5:], free[5:])
    wlp = weighted_log_prob(X, w, m, prec, "diag")
    expected = np.r_[wlp[np.arange(5), labels[:5]], logsumexp(wlp[5:], axis=1)].mean()
    assert objective == pytest.approx(expected, rel=1e-12)
    np.testing.assert_array_equal(pin_responsibilities(free, labels), resp)


# --- the singularity ------------------------------------------------------------------------


def test_collapsing_component_drives_the_likelihood_to_infinity():
    sigmas = 10.0 ** -np.arange(1, 301, 10)
    values = collapsing_log_likelihood(sigmas)
    assert np.all(np.isfinite(values)) and np.all(np.diff(values) > 0)
    # closed form for tiny sigma: x1, x2 under N(0, 1) only, x3 under N(3, sigma) only
    x = np.array([-1.0, 1.0])
    tail = np.log(0.5) - 0.5 * np.log(2 * np.pi)
    closed = (np.sum(tail - 0.5 * x**2) + tail - np.log(sigmas[-5:])) / 3
    np.testing.assert_allclose(values[-5:], closed, rtol=1e-12)


def test_reg_covar_keeps_the_collapse_finite_and_zero_reg_raises():
    X = np.array([[-1.0], [1.0], [3.0]])
    init = {"weights_init": [0.5, 0.5], "means_init": [[0.0], [3.0]],
            "precisions_init": [1.0, 1e4]}
    fitted = GaussianMixture(2, covariance_type="spherical", reg_covar=1e-2, **init).fit(X)
    assert np.isfinite(fitted.lower_bound_)
    assert fitted.covariances_.min() >= 1e-2
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        GaussianMixture(2, covariance_type="spherical", reg_covar=0.0, **init).fit(X)


# --- bad input --------------------------------------------------------------------------


def test_functional_core_bad_inputs(rng):
    X, _ = blobs(rng, n=10)
    w, m, _, prec, _ = sklearn_start(X, 3, "diag")
    with pytest.raises(ValueError, match="weights must sum to 1"):
        e_step(X, w / 2, m, prec, "diag")
    with pytest.raises(ValueError, match=r"weights must lie in \[0, 1\]"):
        e_step(X, np.array([1.5, -0.25, -0.25]), m, prec, "diag")
    with pytest.raises(ValueError, match=r"weights must have shape \(3,\)"):
        e_step(X, w[:2] / w[:2].sum(), m, prec, "diag")
    with pytest.raises(ValueError, match="labels must lie in"):
        e_step(X, w, m, prec, "diag", labels=np.full(10, 3))
    with pytest.raises(ValueError, match="labels must hold integer"):
        e_step(X, w, m, prec, "diag", labels=np.full(10, 0.5))
    with pytest.raises(ValueError, match="one entry per sample"):
        e_step(X, w, m, prec, "diag", labels=np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="resp must have one row per sample"):
        m_step(X, np.ones((9, 3)) / 3, "diag")
    with pytest.raises(ValueError, match="resp must be non-negative"):
        m_step(X, -np.ones((10, 3)), "diag")
    with pytest.raises(ValueError, match="reg_covar must be finite and >= 0"):
        m_step(X, np.ones((10, 3)) / 3, "diag", reg_covar=-1.0)
    with pytest.raises(ValueError, match="every row of resp must sum to 1"):
        elbo(X, np.ones((10, 3)), w, m, prec, "diag")
    with pytest.raises(ValueError, match="resp must have one column per component"):
        elbo(X, np.ones((10, 2)) / 2, w, m, prec, "diag")
    with pytest.raises(ValueError, match="posterior_resp must have one row per sample"):
        kl(np.ones((10, 3)) / 3, np.ones((9, 3)) / 3)
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        log_likelihood(X, w, m, prec, "ful")
    with pytest.raises(ValueError, match="sigmas must be positive"):
        collapsing_log_likelihood([1.0, 0.0])
    with pytest.raises(ValueError, match="X contains NaN"):
        design_matrix(np.full((3, 2), np.nan), "full")
