"""mixgrad.bayes.choose_k: pointwise log-likelihood, PSIS-LOO over K, occupied components.

References: scipy's logsumexp of weighted normal log-densities (the stored log-likelihood),
exact leave-one-out predictive densities by quadrature (K = 1, two parameters), and the
WAIC computed by hand from the same draws (K = 2).
"""

import mixgrad.bayes as mb  # before pymc: sets PyTensor's BLAS flag
import numpy as np
import pytest
import xarray as xr
from mixgrad.bayes.choose_k import (
    add_log_likelihood,
    fit_over_k,
    loo_table,
    predictive_convergence,
)
from mixgrad.bayes.occupied import (
    density_modes,
    label_free_convergence,
    occupied_components,
    prior_occupied_components,
    sorted_weights,
    weights_above,
)
from scipy import stats
from scipy.special import betaln, logsumexp

pm = pytest.importorskip("pymc")
az = pytest.importorskip("arviz")


@pytest.fixture(scope="module")
def small_fits():
    rng = np.random.default_rng(15)
    z = (rng.random(40) < 0.4).astype(int)
    x = rng.normal(np.array([-2.0, 2.0])[z], 0.7)
    return x, fit_over_k(x, [1, 2], random_seed=3, draws=500, tune=500, chains=2)


def test_pointwise_log_likelihood_is_the_mixture_log_density(small_fits):
    x, fits = small_fits
    post = fits[2]["posterior"]
    w, mu, s = (post[v].values.reshape(-1, 2) for v in ("weights", "means", "sigmas"))
    expected = logsumexp(np.log(w)[:, None, :] + stats.norm.logpdf(x[None, :, None],
                                                                  mu[:, None, :], s[:, None, :]),
                         axis=-1)
    stored = fits[2]["log_likelihood"]["x"].values.reshape(-1, x.size)
    np.testing.assert_allclose(stored, expected, rtol=1e-10, atol=1e-12)
    one = fits[1]["posterior"]
    expected_1 = stats.norm.logpdf(x[None, :], one["means"].values.reshape(-1, 1),
                                   one["sigmas"].values.reshape(-1, 1))
    np.testing.assert_allclose(fits[1]["log_likelihood"]["x"].values.reshape(-1, x.size),
                               expected_1, rtol=1e-10)


def _exact_loo_k1(x, priors):
    """sum_i log p(x_i | x_-i) for the K = 1 model, by quadrature on a (mu, sigma) grid."""
    m, sd = x.mean(), x.std(ddof=1)
    mu = np.linspace(m - 3 * sd, m + 3 * sd, 601)
    sigma = np.linspace(0.2 * sd, 3 * sd, 600)
    M, S = np.meshgrid(mu, sigma, indexing="ij")
    log_prior = (stats.norm.logpdf(M, priors.mean_loc[0], priors.mean_scale[0])
                 + stats.halfnorm.logpdf(S, scale=priors.sigma_scale[0]))
    log_point = stats.norm.logpdf(x[:, None, None], M[None], S[None])     # (n, grid)
    total = log_prior + log_point.sum(axis=0)
    elpd = 0.0
    for i in range(x.size):
        log_post = total - log_point[i]          # posterior given x_-i, unnormalised
        elpd += logsumexp(log_post + log_point[i]) - logsumexp(log_post)
    return elpd


def test_psis_loo_matches_exact_loo_and_waic(small_fits):
    x, fits = small_fits
    table = loo_table(fits)
    assert list(table.index) == [1, 2] and table.index.name == "K"
    # K = 1: exact leave-one-out by quadrature; PSIS-LOO from 1000 draws within 0.3
    # (its Monte Carlo error here is about 0.05; the se over points is about 4).
    exact = _exact_loo_k1(x, mb.weakly_informative_priors(x, 1))
    assert table.loc[1, "elpd_loo"] == pytest.approx(exact, abs=0.3)
    # K = 2: WAIC from the same pointwise log-likelihood, by its definition
    # (lppd - p_waic); with every k-hat small the two estimates agree within 0.5.
    ll = fits[2]["log_likelihood"]["x"].values.reshape(-1, x.size)
    lppd = logsumexp(ll, axis=0) - np.log(ll.shape[0])
    waic = np.sum(lppd - ll.var(axis=0, ddof=1))
    assert table.loc[2, "elpd_loo"] == pytest.approx(waic, abs=0.5)
    assert table.loc[2, "p_loo"] == pytest.approx(np.sum(lppd) - table.loc[2, "elpd_loo"])
    # k-hat reported, all fine here; two separated clusters: K = 2 ranked first by far
    assert (table["max_k_hat"] < table["good_k"]).all() and (table["n_bad_k"] == 0).all()
    assert table.loc[2, "rank"] == 0 and table.loc[2, "elpd_diff"] == 0
    assert table.loc[1, "elpd_diff"] == pytest.approx(table.loc[1, "elpd_loo"]
                                                      - table.loc[2, "elpd_loo"])
    assert -table.loc[1, "elpd_diff"] > 3 * table.loc[1, "dse"] > 0
    # ArviZ's flag and stacking weights are collected: 40 points are "small data" for the
    # difference (no flag on the best model); weights of a combination of the models
    assert table.loc[1, "diag_diff"] == "N < 100" and table.loc[2, "diag_diff"] == ""
    assert table["weight"].min() >= 0 and table["weight"].sum() == pytest.approx(1.0)
    # se and dse by their definitions from the pointwise elpd (sqrt(n Var_i)); ArviZ takes the
    # sample variance for se and the population variance for dse
    pointwise = {k: np.asarray(az.loo(fits[k], pointwise=True).elpd_i).ravel() for k in (1, 2)}
    assert table.loc[2, "se"] == pytest.approx(np.sqrt(x.size * pointwise[2].var(ddof=1)))
    assert table.loc[1, "dse"] == pytest.approx(
        np.sqrt(x.size * np.var(pointwise[1] - pointwise[2], ddof=0)))
    # the k-hat threshold is ArviZ's sample-size rule min(1 - 1/log10 S, 0.7), S = 1000 draws
    assert table.loc[1, "good_k"] == pytest.approx(min(1 - 1 / np.log10(1000), 0.7))


def test_add_log_likelihood_restores_initial_values(small_fits):
    x, _ = small_fits
    model = mb.marginal_mixture(x, 2)
    before = dict(model.rvs_to_initial_values)
    fake = az.from_dict({"posterior": {"weights": np.full((1, 2, 2), 0.5),
                                       "means": np.array([[[-2.0, 2.0], [-1.0, 1.0]]]),
                                       "sigmas": np.ones((1, 2, 2))}},
                        dims={"weights": ["component"], "means": ["component"],
                              "sigmas": ["component"]})
    out = add_log_likelihood(fake, model)
    assert out["log_likelihood"]["x"].shape == (1, 2, x.size)
    assert set(model.rvs_to_initial_values) == set(before)
    assert all(np.array_equal(model.rvs_to_initial_values[k], v) for k, v in before.items())


def _posterior(weights, means, sigmas):
    dims = ("chain", "draw", "component")
    return xr.DataTree.from_dict({"posterior": xr.Dataset(
        {"weights": (dims, weights), "means": (dims, means), "sigmas": (dims, sigmas)})})


def test_occupied_components_counts_distinct_labels(rng):
    x = np.concatenate([np.full(10, -5.0), np.full(10, 5.0)])
    # draw 0: two components hold the two groups, the third sits far away;
    # draw 1: one wide component takes everything, two are far away
    weights = np.array([[[0.5, 0.49, 0.01], [0.98, 0.01, 0.01]]])
    means = np.array([[[-5.0, 5.0, 100.0], [0.0, 200.0, 300.0]]])
    sigmas = np.array([[[1.0, 1.0, 1.0], [10.0, 1.0, 1.0]]])
    counts = occupied_components(_posterior(weights, means, sigmas), x, rng=rng)
    np.testing.assert_array_equal(counts, [2, 1])
    # equal responsibilities of two identical components: both occupied almost surely
    same = _posterior(np.full((1, 1, 2), 0.5), np.zeros((1, 1, 2)), np.ones((1, 1, 2)))
    assert occupied_components(same, rng.normal(size=50), rng=rng)[0] == 2
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        occupied_components(same, x, rng=0)


def test_occupied_components_frequencies_match_the_responsibilities(rng):
    # one point, two components with responsibilities 0.3 / 0.7: K+ = 1 always, and the
    # label frequencies follow the responsibilities (checked through a 2-point data set)
    x = np.array([0.0, 0.0])
    post = _posterior(np.full((1, 4000, 2), 0.5), np.zeros((1, 4000, 2)),
                      np.ones((1, 4000, 2)))
    counts = occupied_components(post, x, rng=rng, chunk=333)
    # both points in the same component with probability 1/2
    assert abs(np.mean(counts == 1) - 0.5) < 0.03


def test_weights_above_and_errors(rng):
    post = _posterior(np.array([[[0.6, 0.39, 0.01], [0.5, 0.25, 0.25]]]),
                      np.zeros((1, 2, 3)), np.ones((1, 2, 3)))
    np.testing.assert_array_equal(weights_above(post, 0.05), [2, 3])
    np.testing.assert_array_equal(weights_above(post, 0.001), [3, 3])
    with pytest.raises(ValueError, match="threshold must lie strictly between 0 and 1"):
        weights_above(post, 1.5)
    with pytest.raises(ValueError, match="ks must be a non-empty list of distinct"):
        fit_over_k(np.arange(5.0), [2, 2], random_seed=0)
    with pytest.raises(TypeError, match="fits must be a non-empty dict"):
        loo_table([])
    with pytest.raises(ValueError, match="has no log_likelihood group"):
        loo_table({1: post})
    with pytest.raises(TypeError, match="model must be a pymc.Model"):
        add_log_likelihood(post, "model")


@pytest.mark.parametrize("alpha0", [0.05, 0.5, 4.0])
def test_prior_occupied_components_mean_matches_the_closed_form(rng, alpha0):
    # E[K+] = K (1 - E[(1 - w_1)^n]) with w_1 ~ Beta(a, (K - 1) a), so that
    # E[(1 - w_1)^n] = B(a, (K - 1) a + n) / B(a, (K - 1) a)
    k, n = 6, 200
    draws = prior_occupied_components(alpha0, k, n, rng=rng, size=20000)
    b = (k - 1) * alpha0
    expected = k * (1 - np.exp(betaln(alpha0, b + n) - betaln(alpha0, b)))
    assert draws.min() >= 1 and draws.max() <= k
    assert draws.mean() == pytest.approx(expected, abs=4 * draws.std() / np.sqrt(draws.size))
    with pytest.raises(ValueError, match="concentration must be finite and > 0"):
        prior_occupied_components(0.0, k, n, rng=rng)


def test_predictive_convergence_checks_the_log_likelihood(small_fits):
    _, fits = small_fits
    report = predictive_convergence(fits[2], ess_min=100, r_hat_max=1.05)
    assert report.ok, report  # 1000 draws: r-hat of 40 points scatters up to about 1.02
    assert report.divergences == mb.n_divergences(fits[2])
    ll = fits[2]["log_likelihood"]["x"]
    assert report.max_r_hat == pytest.approx(float(az.rhat(fits[2]["log_likelihood"])["x"].max()))
    assert report.min_ess_bulk == pytest.approx(
        float(az.ess(fits[2]["log_likelihood"], method="bulk")["x"].min()))
    assert ll.shape[-1] == 40
    with pytest.raises(ValueError, match="has no log_likelihood group"):
        predictive_convergence(_posterior(np.full((1, 1, 2), 0.5), np.zeros((1, 1, 2)),
                                          np.ones((1, 1, 2))))


def test_sorted_weights_and_k_plus_by_chain(rng):
    # two chains with the components in opposite order: the sorted weights agree
    w = np.array([[[0.7, 0.3, 0.0001]] * 3, [[0.0001, 0.3, 0.7]] * 3])
    w = w / w.sum(axis=-1, keepdims=True)
    mu = np.array([[[-5.0, 5.0, 50.0]] * 3, [[50.0, 5.0, -5.0]] * 3])
    post = _posterior(w, mu, np.ones((2, 3, 3)))
    ranked = sorted_weights(post)
    assert ranked.shape == (2, 3, 3)
    np.testing.assert_allclose(ranked[0], ranked[1])
    assert np.all(np.diff(ranked, axis=-1) <= 0)
    x = np.concatenate([np.full(7, -5.0), np.full(3, 5.0)])
    k_plus = occupied_components(post, x, rng=rng, by_chain=True)
    np.testing.assert_array_equal(k_plus, np.full((2, 3), 2))


def test_label_free_convergence_matches_arviz_on_each_quantity(small_fits):
    x, fits = small_fits
    idata = fits[2]
    report, k_plus = label_free_convergence(idata, x, rng=np.random.default_rng(0),
                                            ess_min=50)
    assert k_plus.shape == (2, 500) and set(np.unique(k_plus)) <= {1, 2}
    # independent: ArviZ's r-hat on each quantity separately, the report takes the worst
    ranked = -np.sort(-idata["posterior"]["weights"].values, axis=-1)
    ll = idata["log_likelihood"]["x"].values
    rhats = [float(az.rhat(ranked[..., j])) for j in range(2)]
    rhats += [float(az.rhat(ll[..., i])) for i in range(x.size)]
    if np.ptp(k_plus) > 0:
        rhats.append(float(az.rhat(k_plus.astype(float))))
    assert report.max_r_hat == pytest.approx(max(rhats))
    assert report.divergences == mb.n_divergences(idata)
    with pytest.raises(ValueError, match="n_sorted=3 exceeds"):
        label_free_convergence(idata, x, rng=np.random.default_rng(0), n_sorted=3)


def test_density_modes_against_the_two_sigma_rule():
    # equal weights and scales: bimodal exactly when the means are more than 2 sigma apart
    grid = np.linspace(-8.0, 12.0, 4001)
    gaps = np.array([1.0, 1.8, 2.2, 3.0, 6.0])
    modes = density_modes(np.full((5, 2), 0.5), np.stack([np.zeros(5), gaps], axis=1),
                          np.ones((5, 2)), grid)
    np.testing.assert_array_equal(modes, (gaps > 2).astype(int) + 1)
    # three far-apart components: three modes; one row given as 1-D
    assert density_modes([0.2, 0.3, 0.5], [-6.0, 0.0, 6.0], [1.0, 1.0, 1.0], grid)[0] == 3
    with pytest.raises(ValueError, match="must have the same shape"):
        density_modes([0.5, 0.5], [0.0], [1.0, 1.0], grid)
    with pytest.raises(ValueError, match="strictly increasing"):
        density_modes([1.0], [0.0], [1.0], grid[::-1])
