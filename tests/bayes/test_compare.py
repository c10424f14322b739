"""Tests of mixgrad.bayes.compare (posterior vs EM tables) and mixgrad.plot.posterior."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from arviz_base import from_dict
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse
from mixgrad.bayes.compare import em_parameters, map_vs_em, posterior_vs_em
from mixgrad.bayes.supervised import class_probability_draws
from mixgrad.datasets import heights
from mixgrad.mixture import GaussianMixture, GaussianMixtureClassifier, sample_mixture
from mixgrad.plot.posterior import (
    plot_class_probability,
    plot_posterior_density,
    plot_posterior_ellipses,
    plot_posterior_vs_point,
)
from scipy.stats import multivariate_normal


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def data_2d():
    means = np.array([[0.0, 0.0], [4.0, 2.0]])
    cov = np.array([[[1.0, 0.5], [0.5, 1.0]], [[0.6, -0.2], [-0.2, 0.8]]])
    return sample_mixture(200, [0.4, 0.6], means, cov, rng=np.random.default_rng(4))


@pytest.fixture
def posterior_1d():
    """Hand-made posterior draws around weights (0.4, 0.6), means (-1, 2), sigmas (1, 0.5)."""
    rng = np.random.default_rng(9)
    shape = (4, 250)
    w0 = rng.beta(40, 60, size=shape)
    return from_dict({"posterior": {
        "weights": np.stack([w0, 1 - w0], axis=-1),
        "means": np.stack([rng.normal(-1, 0.1, shape), rng.normal(2, 0.05, shape)], axis=-1),
        "sigmas": np.stack([rng.normal(1, 0.05, shape), rng.normal(0.5, 0.02, shape)], axis=-1),
    }})


# --- em_parameters --------------------------------------------------------------------------


def test_em_parameters_of_a_1d_fit_are_flat_and_use_standard_deviations():
    x, z, _ = heights(300, rng=np.random.default_rng(1))
    fit = GaussianMixtureClassifier().fit(x[:, None], z)
    params = em_parameters(fit)
    assert set(params) == {"weights", "means", "sigmas"}
    assert params["means"].shape == (2,) and params["sigmas"].shape == (2,)
    assert np.allclose(params["means"], [x[z == 0].mean(), x[z == 1].mean()])
    assert np.allclose(params["sigmas"], [x[z == 0].std(), x[z == 1].std()], rtol=1e-6)
    assert np.allclose(params["weights"], np.bincount(z) / len(z))


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_em_parameters_turn_every_covariance_type_into_full_matrices(data_2d, covariance_type):
    X, z = data_2d
    fit = GaussianMixture(2, covariance_type=covariance_type).fit(X, z)
    params = em_parameters(fit)
    assert params["covariances"].shape == (2, 2, 2)
    # the full matrices give the same densities as the fitted model
    log_dens = np.column_stack([np.log(params["weights"][j]) + multivariate_normal(
        params["means"][j], params["covariances"][j]).logpdf(X) for j in range(2)])
    assert np.allclose(fit.score_samples(X), np.logaddexp(*log_dens.T))
    assert np.allclose(params["sigmas"], np.sqrt(np.diagonal(params["covariances"], 0, 1, 2)))


def test_em_parameters_read_the_truth_dicts_of_the_datasets():
    _, _, truth = heights(10, rng=np.random.default_rng(0))
    params = em_parameters(truth)
    assert np.allclose(params["sigmas"], [7.0, 7.5])
    assert np.allclose(em_parameters({"weights": [0.5, 0.5], "means": [1.0, 2.0],
                                      "sigmas": [0.3, 0.4]})["sigmas"], [0.3, 0.4])


@pytest.mark.parametrize("model, exc, match", [
    ({"weights": [1.0], "means": [0.0]}, ValueError, "needs the keys 'weights', 'means' and"),
    ({"weights": [0.5, 0.5], "means": [[0, 0], [1, 1]], "sigmas": [1.0, 1.0]}, ValueError,
     "sigmas are for 1-D mixtures"),
    ({"weights": [0.5, 0.5], "means": [[0, 0], [1, 1]], "covariances": np.eye(2)}, ValueError,
     r"covariances must have shape \(2, 2, 2\)"),
    ({"weights": [0.5, 0.5], "means": [0.0, 1.0, 2.0], "sigmas": [1, 1]}, ValueError,
     "weights must have shape"),
    (GaussianMixture(2), ValueError, "has not been fitted"),
    ([0.5, 0.5], TypeError, "model must be a fitted mixgrad.mixture.GaussianMixture"),
])
def test_em_parameters_reject_bad_input(model, exc, match):
    with pytest.raises(exc, match=match):
        em_parameters(model)


# --- posterior_vs_em and map_vs_em ------------------------------------------------------------


def test_posterior_vs_em_puts_the_point_beside_the_interval(posterior_1d):
    em = {"weights": [0.41, 0.59], "means": [-1.0, 2.5], "sigmas": [1.0, 0.5]}
    table = posterior_vs_em(posterior_1d, em)
    assert list(table.index) == ["weights[0]", "weights[1]", "means[0]", "means[1]",
                                 "sigmas[0]", "sigmas[1]"]
    assert list(table.columns) == ["em", "mean", "lower", "upper", "inside"]
    assert table["inside"].dtype == bool
    # means[1] = 2.5 lies ten posterior sds away; every other value is central
    assert list(table["inside"]) == [True, True, True, False, True, True]
    assert table.loc["means[1]", "em"] == 2.5
    assert table.loc["means[0]", "mean"] == pytest.approx(-1.0, abs=0.02)
    draws = posterior_1d["posterior"]["means"].values[..., 0].ravel()
    assert table.loc["means[0]", "lower"] == pytest.approx(np.quantile(draws, 0.03), abs=0.005)


def test_posterior_vs_em_decides_inside_before_rounding(posterior_1d):
    draws = posterior_1d["posterior"]["means"].values[..., 0].ravel()
    upper = np.quantile(draws, 0.97)
    em = {"means": [upper + 1e-4, 2.0]}  # just outside, equal after rounding
    table = posterior_vs_em(posterior_1d, em, var_names=["means"], decimals=2)
    assert not table.loc["means[0]", "inside"]
    assert table.loc["means[0]", "em"] == table.loc["means[0]", "upper"]


def test_posterior_vs_em_rejects_mismatched_points(posterior_1d):
    with pytest.raises(ValueError, match="em_params has no entry 'sigmas'"):
        posterior_vs_em(posterior_1d, {"weights": [0.5, 0.5], "means": [0, 1]})
    with pytest.raises(ValueError, match="do not match the posterior's"):
        posterior_vs_em(posterior_1d, {"means": [0.0, 1.0, 2.0]}, var_names=["means"])


def test_map_vs_em_lists_the_differences():
    map_point = {"weights": np.array([0.3, 0.7]), "means": np.array([1.0, 2.0]),
                 "sigmas": np.array([0.5, 0.6]), "z": np.array(3)}
    em = {"weights": [0.25, 0.75], "means": [1.1, 2.0], "sigmas": [0.4, 0.6]}
    table = map_vs_em(map_point, em, decimals=2)
    assert list(table.columns) == ["map", "em", "difference"]
    assert list(table.index)[:2] == ["weights[0]", "weights[1]"] and len(table) == 6
    assert np.allclose(table["difference"], [0.05, -0.05, -0.1, 0.0, 0.1, 0.0])
    zeros = table.to_numpy() == 0
    assert not np.any(np.signbit(table.to_numpy()[zeros]))  # no negative zeros printed
    only = map_vs_em(map_point, em, var_names=["means"])
    assert list(only.index) == ["means[0]", "means[1]"]


def test_map_vs_em_rejects_points_without_common_entries():
    with pytest.raises(ValueError, match="share none of weights, means, sigmas, covariances"):
        map_vs_em({"a": 1.0}, {"b": 2.0})
    with pytest.raises(ValueError, match="differ in shape"):
        map_vs_em({"means": [1.0, 2.0, 3.0]}, {"means": [1.0, 2.0]})


# --- figures ---------------------------------------------------------------------------------


def test_forest_figure_has_one_panel_per_variable_and_marks_the_point(posterior_1d):
    point = {"weights": [0.4, 0.6], "means": [-1.0, 2.0], "sigmas": [1.0, 0.5]}
    fig = plot_posterior_vs_point({"A": posterior_1d, "B": posterior_1d}, point)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    ax = fig.axes[1]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["means[0]", "means[1]"]
    assert len(ax.collections) == 4  # outer + inner interval per posterior
    diamonds = ax.lines[-1]
    assert np.allclose(diamonds.get_xdata(), [-1.0, 2.0])
    with pytest.raises(ValueError, match="point has no entry 'sigmas'"):
        plot_posterior_vs_point(posterior_1d, {"weights": [0.4, 0.6], "means": [0, 1]})
    with pytest.raises(ValueError, match="ci_prob must lie strictly between 0 and 1"):
        plot_posterior_vs_point(posterior_1d, ci_prob=1.0)


def test_density_figure_draws_the_mean_density_of_the_draws(posterior_1d):
    x = np.linspace(-5.0, 5.0, 101)  # the grid covers both components
    point = {"weights": [0.4, 0.6], "means": [-1.0, 2.0], "sigmas": [1.0, 0.5]}
    ax = plot_posterior_density(x, posterior_1d, max_draws=50, point=point)
    mean_line, point_line = ax.lines
    grid, dens = mean_line.get_data()
    assert np.trapezoid(dens, grid) == pytest.approx(1.0, abs=0.02)
    assert np.max(np.abs(point_line.get_ydata() - dens)) < 0.05
    with pytest.raises(ValueError, match="x must have 1 dimension"):
        plot_posterior_density(np.zeros((3, 2)), posterior_1d)


def test_class_probability_figure_draws_the_posterior_predictive(posterior_1d):
    from mixgrad.bayes import label_posterior

    grid = np.linspace(-3, 4, 50)
    ax = plot_class_probability(posterior_1d, grid, component=1)
    expected = label_posterior(posterior_1d, grid, predictive=True)[:, 1]
    assert np.allclose(ax.lines[0].get_ydata(), expected)
    # the band holds the per-draw plug-in curves
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    draws = class_probability_draws(posterior_1d, grid)[:, :, 1]
    assert band.min() >= draws.min() - 1e-12 and band.max() <= draws.max() + 1e-12
    with pytest.raises(ValueError, match=r"component must be an integer in \[0, 2\)"):
        plot_class_probability(posterior_1d, grid, component=2)


def test_ellipse_figure_draws_one_ellipse_per_draw_and_component(data_2d):
    X, z = data_2d
    fit = GaussianMixture(2).fit(X, z)
    rng = np.random.default_rng(0)
    idata = from_dict({"posterior": {
        "means": fit.means_ + rng.normal(0, 0.05, size=(2, 10, 2, 2)),
        "covariances": np.broadcast_to(fit.covariances_, (2, 10, 2, 2, 2)),
    }})
    ax = plot_posterior_ellipses(X, z, idata, max_draws=5, point=em_parameters(fit))
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 2 * 5 + 2
    with pytest.raises(ValueError, match="X must have 2 features"):
        plot_posterior_ellipses(X[:, :1], z, idata)
