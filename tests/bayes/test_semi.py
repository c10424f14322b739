"""mixgrad.bayes.semi: semi-supervised PyMC mixtures against scipy, errors, a short run."""

import mixgrad.bayes as mb  # before pymc: sets PyTensor's BLAS flag
import numpy as np
import pytest
import xarray as xr
from mixgrad.bayes.semi import latent_semi_supervised_mixture, semi_supervised_mixture
from mixgrad.bayes.unsupervised import label_posterior
from mixgrad.plot.semi_bayes import plot_class_probabilities, plot_intervals_vs_labels
from scipy import stats
from scipy.special import logsumexp

from ._model_points import FAST, scipy_log_joint, transformed_point

pytensor = pytest.importorskip("pytensor")

Y = np.array([0, 1, -1, -1, 0, -1, -1, -1, 1, -1, -1, -1])


# --- log-probability against a hand computation ---------------------------------


@pytest.mark.parametrize("ordered", [False, True])
def test_1d_logp_equals_scipy(rng, ordered):
    x = rng.normal(170.0, 9.0, size=Y.size)
    model = semi_supervised_mixture(x, Y, 2, ordered=ordered)
    priors = mb.weakly_informative_priors(x, 2)
    values = {"weights": np.array([0.3, 0.7]), "means": np.array([160.0, 178.0]),
              "sigmas": np.array([6.0, 8.5])}
    logp = model.compile_logp(jacobian=False, mode=FAST)(transformed_point(model, values))
    log_joint = scipy_log_joint(x, *values.values())
    seen = Y >= 0
    expected = (
        stats.dirichlet.logpdf(values["weights"], priors.concentration)
        + stats.norm.logpdf(values["means"], priors.mean_loc[0], priors.mean_scale[0]).sum()
        + stats.halfnorm.logpdf(values["sigmas"], scale=priors.sigma_scale[0]).sum()
        + log_joint[seen, Y[seen]].sum()  # labelled: log pi_z + log N(x | mu_z, sigma_z)
        + logsumexp(log_joint[~seen], axis=1).sum()  # unlabelled: log sum_k ...
    )
    assert logp == pytest.approx(expected, rel=1e-10)


def test_2d_observed_logp_and_covariances_equal_scipy(rng):
    X = rng.normal(size=(Y.size, 2)) * [2.0, 1.0]
    model = semi_supervised_mixture(X, Y, 2)
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
        stats.multivariate_normal(values["means"][k], covariances[k]).logpdf(X) for k in range(2)
    ])
    seen = Y >= 0
    expected = log_joint[seen, Y[seen]].sum() + logsumexp(log_joint[~seen], axis=1).sum()
    assert observed == pytest.approx(expected, rel=1e-10)


def test_latent_model_logp_given_labels_equals_scipy(rng):
    x = rng.normal(0.0, 2.0, size=Y.size)
    model = latent_semi_supervised_mixture(x, Y, 2)
    seen = Y >= 0
    z = rng.integers(0, 2, size=np.sum(~seen))
    values = {"weights": np.array([0.6, 0.4]), "means": np.array([-1.0, 1.5]),
              "sigmas": np.array([0.7, 1.3]), "z": z}
    point = transformed_point(model, values)
    observed = model.compile_logp(vars=[model["z"], *model.observed_RVs], jacobian=False,
                                  mode=FAST)(point)
    log_joint = scipy_log_joint(x, values["weights"], values["means"], values["sigmas"])
    labels = Y.copy()
    labels[~seen] = z  # given z, every point is a labelled point
    assert observed == pytest.approx(log_joint[np.arange(Y.size), labels].sum(), rel=1e-10)
    assert model["z"] in model.free_RVs and model["z"].type.dtype.startswith("int")


def test_fully_labelled_and_unlabelled_models(rng):
    x = rng.normal(size=10)
    full = semi_supervised_mixture(x, np.arange(10) % 2, 2)
    none = semi_supervised_mixture(x, np.full(10, -1), 2, ordered=True)
    assert {v.name for v in full.observed_RVs} == {"z_labelled", "x_labelled"}
    assert {v.name for v in none.observed_RVs} == {"x_unlabelled"}
    assert np.all(np.diff(none.initial_point()["means_ordered__"][1:]) != 0)
    part = semi_supervised_mixture(x, np.r_[0, 1, np.full(8, -1)], 2)
    np.testing.assert_array_equal(part.coords["obs_labelled"], [0, 1])
    np.testing.assert_array_equal(part.coords["obs_unlabelled"], np.arange(2, 10))
    # labelled class means are the starting values of the means
    np.testing.assert_allclose(part.initial_point()["means"], x[:2])


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize("X, y, k, kwargs, error, match", [
    (np.zeros(5), [0, 1, -1], 2, {}, ValueError, r"y must be a 1-D array with one entry per "),
    (np.arange(5.0), [0, 2, -1, -1, -1], 2, {}, ValueError, r"y must lie in \[-1, 2\)"),
    (np.arange(5.0), [0, -2, -1, -1, -1], 2, {}, ValueError, r"y must lie in \[-1, 2\)"),
    (np.arange(5.0), [0, 0.5, -1, -1, -1], 2, {}, ValueError, "integer component indices"),
    (np.arange(3.0), [-1, -1, -1], 4, {}, ValueError, r"n_components=4 exceeds .* \(3\)"),
    (np.arange(5.0), [-1] * 5, 2.0, {}, TypeError, "n_components must be an integer"),
    (np.r_[1.0, np.nan, 2.0], [-1] * 3, 2, {}, ValueError, "X contains NaN"),
    (np.ones((6, 2)) + np.arange(6)[:, None] * [1, 2], [-1] * 6, 2, {"ordered": True},
     ValueError, "ordered=True is only available for 1-D data"),
    (np.arange(5.0), [-1] * 5, 2, {"priors": {"mean_loc": 0}}, TypeError,
     "priors must be a MixturePriors"),
    (np.arange(5.0), [-1] * 5, 2, {"priors": mb.weakly_informative_priors(np.arange(5.0), 3)},
     ValueError, "priors are for 3 components"),
])
@pytest.mark.parametrize("builder", [semi_supervised_mixture, latent_semi_supervised_mixture])
def test_bad_input_is_rejected(builder, X, y, k, kwargs, error, match):
    with pytest.raises(error, match=match):
        builder(X, y, k, **kwargs)


# --- using a posterior ------------------------------------------------------------


def _fake_posterior(rng, d=1, n_chains=2, n_draws=5):
    shape = (n_chains, n_draws)
    weights = rng.dirichlet([3.0, 3.0], size=shape)
    if d == 1:
        data = {"weights": (("chain", "draw", "component"), weights),
                "means": (("chain", "draw", "component"), rng.normal([-1, 1], 0.2, shape + (2,))),
                "sigmas": (("chain", "draw", "component"), rng.uniform(0.5, 1.5, shape + (2,)))}
    else:
        a = rng.normal(size=shape + (2, d, d))
        covariances = a @ np.swapaxes(a, -1, -2) + np.eye(d)
        data = {"weights": (("chain", "draw", "component"), weights),
                "means": (("chain", "draw", "component", "feature"),
                          rng.normal(size=shape + (2, d))),
                "covariances": (("chain", "draw", "component", "feature", "feature_col"),
                                covariances)}
    return xr.DataTree.from_dict({"posterior": xr.Dataset(data)})


def test_short_run_recovers_parameters_and_classes():
    rng = np.random.default_rng(7)
    z = np.repeat([0, 1], 60)
    x = rng.normal(np.array([-2.0, 2.0])[z], np.array([0.8, 1.2])[z])
    y = np.full(z.size, -1)
    y[[0, 1, 2, 60, 61, 62]] = z[[0, 1, 2, 60, 61, 62]]
    model = semi_supervised_mixture(x, y, 2)
    idata = mb.sample(model, random_seed=11, draws=300, tune=300, chains=2, cores=1)
    table = mb.posterior_table(idata, ["weights", "means", "sigmas"])
    np.testing.assert_allclose(table["mean"], [0.5, 0.5, -2.0, 2.0, 0.8, 1.2], atol=0.4)
    assert mb.n_divergences(idata) == 0
    proba = label_posterior(idata, x)  # the labels name the components
    assert np.mean(proba.argmax(axis=1) == z) > 0.95


# --- figures ----------------------------------------------------------------------


def test_intervals_vs_labels_draws_one_bar_per_component(rng):
    posteriors = {0: _fake_posterior(rng), 5: _fake_posterior(rng), "all": _fake_posterior(rng)}
    ax = plot_intervals_vs_labels(posteriors, "means", estimates={5: [-1.0, 1.0]},
                                  truth=[-1.0, 1.0])
    assert len(ax.containers) == 2
    bars = ax.containers[0].lines[0].get_ydata()
    expected = [posteriors[key]["posterior"]["means"].values[..., 0].mean() for key in posteriors]
    np.testing.assert_allclose(bars, expected)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "5", "all"]
    diamonds = [line for line in ax.lines if line.get_marker() == "D"]
    assert len(diamonds) == 2 and diamonds[0].get_xdata()[0] > 1  # at the "5" position
    with pytest.raises(ValueError, match=r"estimates has keys \[20\]"):
        plot_intervals_vs_labels(posteriors, estimates={20: [0.0, 0.0]})
    with pytest.raises(ValueError, match="pass feature="):
        plot_intervals_vs_labels({1: _fake_posterior(rng, d=2)}, "means")
    with pytest.raises(TypeError, match="non-empty dict"):
        plot_intervals_vs_labels({})


def test_class_probability_figures(rng):
    x = rng.normal(size=20)
    labels = np.full(20, -1)
    labels[:2], labels[2:4] = 0, 1
    proba = np.column_stack([np.linspace(0, 1, 20), 1 - np.linspace(0, 1, 20)])
    grid = np.linspace(-2, 2, 5)
    ax = plot_class_probabilities(x, labels, proba, grid=grid,
                                  curves={"posterior": np.full(5, 0.5), "EM": np.zeros(5)})
    assert len(ax.collections) == 3 and len(ax.lines) == 2
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], proba[4:, 1])
    np.testing.assert_allclose(ax.collections[1].get_offsets(), np.c_[x[:2], [0, 0]])  # class 0
    np.testing.assert_allclose(ax.collections[2].get_offsets(), np.c_[x[2:4], [1, 1]])
    ax2 = plot_class_probabilities(rng.normal(size=(20, 2)), labels, proba, class_index=0)
    np.testing.assert_allclose(ax2.collections[0].get_array(), proba[4:, 0])
    with pytest.raises(ValueError, match="only for 1-D data"):
        plot_class_probabilities(rng.normal(size=(20, 2)), labels, proba, grid=grid,
                                 curves={"a": grid})
    with pytest.raises(ValueError, match=r"probabilities must have shape \(20, n_components\)"):
        plot_class_probabilities(x, labels, proba[:5])
