"""Figures of the EM chapter (mixgrad.plot.em_fit): what is drawn, where."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse
from mixgrad.mixture import (
    GaussianMixture,
    collapsing_log_likelihood,
    full_covariances,
    toy_em_means,
)
from mixgrad.plot.em_fit import (
    animate_em_fit,
    animation_html,
    plot_collapse,
    plot_em_iterations,
    plot_em_vs_gradient,
    plot_fit,
    plot_fits,
    plot_model_selection,
    plot_toy_em,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def X(rng):
    return np.vstack([rng.normal(size=(40, 2)) - 2, rng.normal(size=(40, 2)) + 2])


@pytest.fixture
def fitted(X):
    return GaussianMixture(2, random_state=0, keep_snapshots=True, tol=1e-8, max_iter=200).fit(X)


def _ellipses(ax):
    return [p for p in ax.patches if isinstance(p, Ellipse)]


def test_ellipse_geometry_follows_the_eigen_decomposition():
    # Covariance R diag(9, 1) R^T with R a rotation by 30 degrees: the 1-sigma
    # ellipse has axes 2*3 and 2*1 and is rotated by 30 degrees (by construction).
    theta = np.radians(30)
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    cov = R @ np.diag([9.0, 1.0]) @ R.T
    ax = plot_fit(np.zeros((3, 2)), [1.0], [[1.0, -1.0]], cov[None], n_std=(1.0, 2.0))
    first, second = _ellipses(ax)
    assert np.allclose(first.center, (1.0, -1.0))
    assert np.isclose(first.width, 6.0) and np.isclose(first.height, 2.0)
    assert np.isclose(first.angle % 180, 30.0)
    assert np.isclose(second.width, 12.0) and np.isclose(second.height, 4.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [r"$\pi_1$ = 1.00"]


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_full_covariances_agree_with_the_fitted_precisions(X, covariance_type):
    model = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    full = full_covariances(model.covariances_, covariance_type, 2, 2)
    precisions = full_covariances(model.precisions_, covariance_type, 2, 2)
    # Independent check: the expanded covariances invert the expanded precisions.
    np.testing.assert_allclose(full @ precisions, np.broadcast_to(np.eye(2), (2, 2, 2)),
                               atol=1e-8)


def test_full_covariances_rejects_bad_input():
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        full_covariances(np.ones(2), "round", 2, 2)
    with pytest.raises(ValueError, match=r"must have shape \(2, 2\)"):
        full_covariances(np.ones(2), "diag", 2, 2)


def test_plot_fit_colours_points_by_label(X, fitted):
    labels = fitted.predict(X)
    ax = plot_fit(X, fitted.weights_, fitted.means_, fitted.covariances_, labels=labels,
                  title="fit")
    assert ax.get_title() == "fit" and len(_ellipses(ax)) == 4
    colours = ax.collections[0].get_facecolors()
    assert len({tuple(c) for c in colours}) == 2
    with pytest.raises(ValueError, match="labels must have shape"):
        plot_fit(X, fitted.weights_, fitted.means_, fitted.covariances_, labels=labels[:3])
    with pytest.raises(ValueError, match="2 features"):
        plot_fit(np.ones((4, 3)), fitted.weights_, fitted.means_, fitted.covariances_)
    with pytest.raises(ValueError, match="weights"):
        plot_fit(X, np.ones(3) / 3, fitted.means_, fitted.covariances_)


def test_plot_fits_one_panel_per_model(X):
    models = {ct: GaussianMixture(2, covariance_type=ct, random_state=0).fit(X)
              for ct in ("full", "tied", "diag")}
    fig = plot_fits(X, models, ncols=2, labels=True)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert isinstance(fig, Figure) and len(fig.axes) == 4 and len(visible) == 3
    assert [ax.get_title() for ax in visible] == list(models)
    with pytest.raises(ValueError, match="at least one"):
        plot_fits(X, {})


def test_iteration_panels(X, fitted):
    its = (0, 1, 2, 3, 4, 5)
    fig = plot_em_iterations(X, fitted.snapshots_, iterations=its, ncols=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["start"] + [f"iteration {t}" for t in its[1:]]
    # Panel t shows snapshot t: the first ellipse sits on its first mean.
    for ax, t in zip(fig.axes, its, strict=True):
        assert np.allclose(_ellipses(ax)[0].center, fitted.snapshots_[t]["means"][0])
    with pytest.raises(ValueError, match="not recorded"):
        plot_em_iterations(X, fitted.snapshots_, iterations=(0, 10_000))
    with pytest.raises(ValueError, match="keep_snapshots=True"):
        plot_em_iterations(X, None)


def test_animation_html_is_deterministic(X, fitted):
    def render():
        anim = animate_em_fit(X, fitted.snapshots_, frames=[0, 1], dpi=30, figsize=(2, 2))
        assert isinstance(anim, FuncAnimation)
        return animation_html(anim, element_id="demo")

    first, second = render(), render()
    assert first == second
    assert 'id="_anim_imgdemo"' in first
    assert not re.search(r"_anim_img[0-9a-f]{32}", first)
    assert first.count("data:image/png;base64") == 2
    # Regression: to_jshtml links Font Awesome from a CDN; the book must load nothing remote.
    assert "http://" not in first and "https://" not in first
    anim = animate_em_fit(X, fitted.snapshots_, frames=[0], dpi=30, figsize=(2, 2))
    with pytest.raises(ValueError, match="element_id"):
        animation_html(anim, element_id="a b")
    assert "_anim_imgemfit" in animation_html(anim)
    with pytest.raises(ValueError, match="frames"):
        animate_em_fit(X, fitted.snapshots_, frames=[10_000])


def test_toy_em_figure(rng):
    x = np.concatenate([rng.normal(-2, 1, 50), rng.normal(2, 1, 50)])
    result = toy_em_means(x, [-0.5, 0.5])
    fig = plot_toy_em(x, result.history["means"], result.history["log_likelihood"])
    a0, a1, a2 = fig.axes
    assert len(a0.lines) == 4 and len(a1.lines) == 2
    np.testing.assert_allclose(a1.lines[0].get_ydata(), result.history["means"][:, 0])
    np.testing.assert_allclose(a2.lines[0].get_ydata(), result.history["log_likelihood"])
    with pytest.raises(ValueError, match="same length"):
        plot_toy_em(x, result.history["means"], result.history["log_likelihood"][:-1])


def test_collapse_figure():
    sigmas = np.logspace(0, -6, 13)
    values = collapsing_log_likelihood(sigmas)
    ax = plot_collapse(sigmas, values, label="x = -1, 1, 3")
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), values)
    with pytest.raises(ValueError, match="positive"):
        plot_collapse(-sigmas, values)


def test_model_selection_marks_the_best_k():
    ks = np.arange(1, 6)
    bic = np.array([50.0, 20.0, 10.0, 12.0, 15.0])
    sil = np.array([np.nan, 0.7, 0.5, 0.4, 0.3])
    fig = plot_model_selection(ks, bic, sil)
    a0, a1 = fig.axes
    assert a0.get_legend().get_texts()[0].get_text() == "best k = 3"
    assert a1.get_legend().get_texts()[0].get_text() == "best k = 2"
    with pytest.raises(ValueError, match="same length"):
        plot_model_selection(ks, bic[:3], sil)


def test_em_vs_gradient_draws_gaps_per_iteration_and_per_second():
    ll = np.array([-3.0, -2.0, -1.5, -1.0])
    runs = {"EM": (np.array([0.0, 0.1, 0.2, 0.3]), ll), "Adam": (np.arange(4.0), ll - 0.5)}
    fig = plot_em_vs_gradient(runs, optimum=-1.0)
    a0, a1 = fig.axes
    assert a0.get_yscale() == "log" and len(a0.lines) == 2 and len(a1.lines) == 2
    # The gap optimum - ll; a zero gap (at the optimum) is a NaN gap, not -inf.
    np.testing.assert_allclose(a0.lines[0].get_ydata(), [2.0, 1.0, 0.5, np.nan])
    np.testing.assert_allclose(a1.lines[1].get_xdata(), np.arange(4.0))
    with pytest.raises(ValueError, match="same shape"):
        plot_em_vs_gradient({"EM": (np.zeros(2), ll)}, optimum=0.0)
    with pytest.raises(ValueError, match="at least one"):
        plot_em_vs_gradient({}, optimum=0.0)
