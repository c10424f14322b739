"""mixgrad.bayes.unsupervised: latent and marginalised mixtures against scipy, errors, short runs.

Also the chapter's mixing and predictive-check figures (mixgrad.plot.mixing).
"""

import mixgrad.bayes as mb  # before pymc: sets PyTensor's BLAS flag
import numpy as np
import pytest
import xarray as xr
from mixgrad.bayes.unsupervised import label_posterior, latent_mixture, marginal_mixture
from mixgrad.plot.mixing import (
    autocorrelation,
    plot_autocorrelation,
    plot_ess_per_second,
    plot_predictive_check,
)
from scipy import stats
from scipy.special import logsumexp

from ._model_points import FAST, scipy_log_joint, transformed_point

pytensor = pytest.importorskip("pytensor")


VALUES_1D = {"weights": np.array([0.3, 0.7]), "means": np.array([-1.0, 2.0]),
             "sigmas": np.array([0.6, 1.4])}


# --- log-probability against a hand computation ---------------------------------------


@pytest.mark.parametrize("ordered", [False, True])
def test_marginal_1d_logp_equals_scipy(rng, ordered):
    x = rng.normal(0.5, 2.0, size=15)
    model = marginal_mixture(x, 2, ordered=ordered)
    priors = mb.weakly_informative_priors(x, 2)
    point = transformed_point(model, VALUES_1D)
    logp = model.compile_logp(jacobian=False, mode=FAST)(point)
    expected = (
        stats.dirichlet.logpdf(VALUES_1D["weights"], priors.concentration)
        + stats.norm.logpdf(VALUES_1D["means"], priors.mean_loc[0], priors.mean_scale[0]).sum()
        + stats.halfnorm.logpdf(VALUES_1D["sigmas"], scale=priors.sigma_scale[0]).sum()
        + logsumexp(scipy_log_joint(x, *VALUES_1D.values()), axis=1).sum()
    )
    assert logp == pytest.approx(expected, rel=1e-10)
    assert ("means_ordered__" in point) is ordered


def test_ordered_transform_adds_the_log_gap_jacobian(rng):
    x = rng.normal(size=10)
    jacobians = []
    for ordered in (False, True):
        model = marginal_mixture(x, 2, ordered=ordered)
        point = transformed_point(model, VALUES_1D)
        jacobians.append(model.compile_logp(jacobian=True, mode=FAST)(point)
                         - model.compile_logp(jacobian=False, mode=FAST)(point))
    gap = VALUES_1D["means"][1] - VALUES_1D["means"][0]
    assert jacobians[1] - jacobians[0] == pytest.approx(np.log(gap), rel=1e-10)


def test_latent_logp_given_labels_equals_scipy(rng):
    x = rng.normal(size=12)
    model = latent_mixture(x, 2)
    z = rng.integers(0, 2, size=x.size)
    point = transformed_point(model, VALUES_1D | {"z": z})
    observed = model.compile_logp(vars=[model["z"], *model.observed_RVs], jacobian=False,
                                  mode=FAST)(point)
    log_joint = scipy_log_joint(x, *VALUES_1D.values())
    assert observed == pytest.approx(log_joint[np.arange(x.size), z].sum(), rel=1e-10)
    # summing the latent model over every labelling gives the marginal model's likelihood
    marginal = marginal_mixture(x, 2)
    m_point = transformed_point(marginal, VALUES_1D)
    m_observed = marginal.compile_logp(vars=marginal.observed_RVs, jacobian=False,
                                       mode=FAST)(m_point)
    assert m_observed == pytest.approx(logsumexp(log_joint, axis=1).sum(), rel=1e-10)
    assert model["z"] in model.free_RVs and model["z"].type.dtype.startswith("int")


def test_latent_labels_start_at_the_nearest_initial_mean():
    x = np.array([0.0, 0.1, 0.2, 5.0, 5.1, 5.3, 9.8, 10.0, 10.2])
    model = latent_mixture(x, 3)
    np.testing.assert_array_equal(model.initial_point()["z"], np.repeat([0, 1, 2], 3))
    assert {v.name for v in model.free_RVs} == {"weights", "means", "sigmas", "z"}


def test_marginal_2d_observed_logp_and_covariances_equal_scipy(rng):
    X = rng.normal(size=(10, 2)) * [2.0, 1.0]
    model = marginal_mixture(X, 2)
    chols = [np.array([[1.5, 0.0], [0.4, 0.8]]), np.array([[2.0, 0.0], [-0.6, 1.1]])]
    rows, cols = np.tril_indices(2)
    values = {"weights": np.array([0.45, 0.55]), "means": np.array([[-1.0, 0.5], [1.0, -0.2]]),
              "chol_0": chols[0][rows, cols], "chol_1": chols[1][rows, cols]}
    point = transformed_point(model, values)
    covariances = np.array([c @ c.T for c in chols])
    outputs = model.replace_rvs_by_values([model["covariances"], model["sigmas"]])
    got = pytensor.function(model.value_vars, outputs, on_unused_input="ignore", mode=FAST)(
        *[point[v.name] for v in model.value_vars])
    np.testing.assert_allclose(got[0], covariances, rtol=1e-12)
    np.testing.assert_allclose(got[1], np.sqrt(np.diagonal(covariances, axis1=1, axis2=2)))
    observed = model.compile_logp(vars=model.observed_RVs, jacobian=False, mode=FAST)(point)
    log_joint = np.log(values["weights"]) + np.column_stack([
        stats.multivariate_normal(values["means"][j], covariances[j]).logpdf(X) for j in range(2)
    ])
    assert observed == pytest.approx(logsumexp(log_joint, axis=1).sum(), rel=1e-10)
    assert set(model.coords) == {"component", "obs", "feature", "feature_col"}


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("X, k, kwargs, error, match", [
    (np.arange(3.0), 4, {}, ValueError, r"n_components=4 exceeds the number of data points \(3\)"),
    (np.arange(5.0), 2.0, {}, TypeError, "n_components must be an integer"),
    (np.arange(5.0), 0, {}, ValueError, "n_components must be >= 1"),
    (np.r_[1.0, np.nan, 2.0], 2, {}, ValueError, "X contains NaN"),
    (np.r_[1.0, np.inf, 2.0], 2, {}, ValueError, "X contains infinite values"),
    (np.zeros((2, 2, 2)), 2, {}, ValueError, "X must have 1 or 2 dimension"),
    (np.arange(5.0), 2, {"ordered": "yes"}, TypeError, "ordered must be True or False"),
    (np.arange(5.0), 2, {"priors": {"mean_loc": 0}}, TypeError, "priors must be a MixturePriors"),
    (np.arange(5.0), 2, {"priors": mb.weakly_informative_priors(np.arange(5.0), 3)},
     ValueError, "priors are for 3 components and 1 features, but the model has 2"),
])
@pytest.mark.parametrize("builder", [latent_mixture, marginal_mixture])
def test_bad_input_is_rejected(builder, X, k, kwargs, error, match):
    with pytest.raises(error, match=match):
        builder(X, k, **kwargs)


def test_multivariate_specific_errors():
    X = np.arange(12.0).reshape(6, 2) ** 1.5
    with pytest.raises(ValueError, match="X must be univariate.*use marginal_mixture"):
        latent_mixture(X, 2)
    with pytest.raises(ValueError, match="ordered=True needs univariate data.*relabel"):
        marginal_mixture(X, 2, ordered=True)
    assert "means" in marginal_mixture(X, 2).named_vars  # default: unordered in 2-D


# --- label_posterior: E-step responsibilities averaged over draws ----------------------


def _fake_posterior(rng, d=1, n_chains=2, n_draws=4):
    shape = (n_chains, n_draws)
    data = {"weights": (("chain", "draw", "component"), rng.dirichlet([3.0, 3.0], size=shape))}
    if d == 1:
        data["means"] = (("chain", "draw", "component"), rng.normal([-1, 1], 0.2, shape + (2,)))
        data["sigmas"] = (("chain", "draw", "component"), rng.uniform(0.5, 1.5, shape + (2,)))
    else:
        a = rng.normal(size=shape + (2, d, d))
        data["means"] = (("chain", "draw", "component", "feature"), rng.normal(size=shape + (2, d)))
        data["covariances"] = (("chain", "draw", "component", "feature", "feature_col"),
                               a @ np.swapaxes(a, -1, -2) + np.eye(d))
    return xr.DataTree.from_dict({"posterior": xr.Dataset(data)})


@pytest.mark.parametrize("d", [1, 3])
def test_label_posterior_averages_scipy_responsibilities(rng, d):
    idata = _fake_posterior(rng, d)
    X = rng.normal(size=(9, d))
    post = {name: idata["posterior"][name].values.reshape((8,) + idata["posterior"][name].shape[2:])
            for name in idata["posterior"].data_vars}
    expected = np.zeros((9, 2))
    for s in range(8):
        if d == 1:
            dens = stats.norm.pdf(X, post["means"][s], post["sigmas"][s])
        else:
            dens = np.column_stack([stats.multivariate_normal(post["means"][s, j],
                                                              post["covariances"][s, j]).pdf(X)
                                    for j in range(2)])
        joint = post["weights"][s] * dens
        expected += joint / joint.sum(axis=1, keepdims=True) / 8
    np.testing.assert_allclose(label_posterior(idata, X, chunk=3), expected, rtol=1e-10)
    if d == 1:
        np.testing.assert_allclose(label_posterior(idata, X[:, 0]), expected, rtol=1e-10)
    with pytest.raises(ValueError, match=f"X has 2 features but the posterior means have {d}"):
        label_posterior(idata, np.zeros((3, 2)) if d != 2 else np.zeros((3, 1)))


# --- short sampling runs ----------------------------------------------------------------


def test_short_marginal_run_recovers_parameters_and_labels():
    rng = np.random.default_rng(7)
    z = (rng.random(150) < 0.4).astype(int)
    x = rng.normal(np.array([-2.0, 2.0])[z], np.array([0.8, 1.0])[z])
    idata = mb.sample(marginal_mixture(x, 2), random_seed=11, draws=200, tune=200, chains=2,
                      cores=1)
    table = mb.posterior_table(idata, ["weights", "means", "sigmas"])
    np.testing.assert_allclose(table["mean"], [0.6, 0.4, -2.0, 2.0, 0.8, 1.0], atol=0.3)
    assert mb.n_divergences(idata) == 0
    proba = label_posterior(idata, x)
    assert np.mean(proba.argmax(axis=1) == z) > 0.95
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_short_latent_run_uses_a_compound_step_and_recovers_the_means():
    rng = np.random.default_rng(3)
    z = np.repeat([0, 1], 15)
    x = rng.normal(np.array([0.0, 6.0])[z], 0.7)
    idata = mb.sample(latent_mixture(x, 2), random_seed=5, draws=100, tune=100, chains=2,
                      cores=1, compute_convergence_checks=False)
    means = mb.posterior_draws(idata, "means").mean(axis=0)
    np.testing.assert_allclose(means, [0.0, 6.0], atol=0.5)
    labels = mb.posterior_draws(idata, "z")
    assert labels.shape == (200, 30) and np.mean(np.round(labels.mean(axis=0)) == z) == 1.0
    assert "step_size" in idata["sample_stats"]  # NUTS ran beside the labels' Gibbs step


# --- figures: mixing and predictive checks -------------------------------------------------


def test_autocorrelation_matches_the_definition(rng):
    chains = np.cumsum(rng.normal(size=(3, 200)), axis=1)  # random walks: slow decay
    rho = autocorrelation(chains, max_lag=5)
    c = chains[1] - chains[1].mean()
    direct = [np.sum(c[: 200 - lag] * c[lag:]) / np.sum(c**2) for lag in range(6)]
    per_chain = [autocorrelation(ch, 5) for ch in chains]
    np.testing.assert_allclose(per_chain[1], direct, rtol=1e-12)
    np.testing.assert_allclose(rho, np.mean(per_chain, axis=0), rtol=1e-12)
    assert rho[0] == pytest.approx(1.0) and rho[5] > 0.5
    white = autocorrelation(rng.normal(size=(4, 2000)), 3)
    assert np.all(np.abs(white[1:]) < 0.05)
    with pytest.raises(ValueError, match="max_lag must be smaller than the number of draws"):
        autocorrelation(chains, 200)
    with pytest.raises(ValueError, match="a chain is constant"):
        autocorrelation(np.ones((2, 10)), 2)


def test_mixing_figures(rng):
    ax = plot_autocorrelation({"latent": rng.normal(size=(2, 100)),
                               "marginal": rng.normal(size=(2, 100))}, max_lag=10)
    assert len(ax.lines) == 3 and len(ax.lines[0].get_xdata()) == 11
    ax = plot_ess_per_second({"latent labels": 20.0, "marginalised": 800.0})
    assert ax.get_xscale() == "log" and ax.get_xlim()[0] == 10.0
    assert [p.get_x() + p.get_width() for p in ax.patches] == [20.0, 800.0]
    assert [t.get_text() for t in ax.texts] == ["20/s", "800/s"]
    with pytest.raises(ValueError, match="rates must be positive"):
        plot_ess_per_second({"a": 0.0})
    with pytest.raises(ValueError, match="series must be a non-empty dict"):
        plot_autocorrelation({})


def test_plot_predictive_check(rng):
    x = rng.normal(size=50)
    replicates = rng.normal(size=(200, 50))
    ax = plot_predictive_check(x, replicates, n_lines=10, bins=8)
    assert len(ax.patches) == 11
    data_counts = ax.patches[-1].get_data()[0]
    edges = ax.patches[-1].get_data()[1]
    np.testing.assert_allclose(data_counts, np.histogram(x, bins=edges, density=True)[0])
    with pytest.raises(ValueError, match=r"one column per data point \(50\)"):
        plot_predictive_check(x, replicates[:, :10])
