"""Tests for mixgrad.plot.classifiers (decision regions, accuracy curves)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Ellipse
from mixgrad.mixture import GaussianMixture
from mixgrad.plot.classifiers import plot_accuracy_curves, plot_decision_regions
from sklearn.linear_model import LogisticRegression


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _data(rng, n=200):
    y = rng.integers(0, 3, size=n)
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])[y] + rng.normal(size=(n, 2))
    return X, y


def test_decision_regions_draws_ellipses_and_boundaries(rng):
    X, y = _data(rng)
    model = GaussianMixture(3, covariance_type="full").fit(X, y)
    ax = plot_decision_regions(model, X, y, n_std=2.0, resolution=50, title="QDA")
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 3
    # Each ellipse: centre at the class mean, axes 2 * n_std * sqrt(eigenvalues) (independent eig).
    for c, e in enumerate(ellipses):
        np.testing.assert_allclose(e.center, model.means_[c])
        lengths = 2 * 2.0 * np.sqrt(np.linalg.eigvalsh(model.covariances_[c]))
        np.testing.assert_allclose(sorted([e.width, e.height]), sorted(lengths), rtol=1e-10)
    assert ax.get_title() == "QDA"
    assert len(ax.collections) >= 3  # filled regions, boundary lines, points
    lo, hi = ax.get_xlim()
    assert lo < X[:, 0].min() and hi > X[:, 0].max()


def test_decision_regions_plain_classifier_has_no_ellipses(rng):
    X, y = _data(rng)
    model = LogisticRegression().fit(X, y)
    ax = plot_decision_regions(model, X, y, resolution=30)
    assert not [p for p in ax.patches if isinstance(p, Ellipse)]


def test_decision_regions_tied_ellipses_share_shape(rng):
    X, y = _data(rng)
    model = GaussianMixture(3, covariance_type="tied").fit(X, y)
    ax = plot_decision_regions(model, X, y, resolution=30)
    sizes = {(round(p.width, 10), round(p.height, 10), round(p.angle, 8)) for p in ax.patches}
    assert len(sizes) == 1


def test_decision_regions_bad_inputs(rng):
    X, y = _data(rng)
    model = GaussianMixture(3).fit(X, y)
    with pytest.raises(ValueError, match="X must have 2 features"):
        plot_decision_regions(model, np.c_[X, X[:, 0]], y)
    with pytest.raises(ValueError, match="y must hold one non-negative integer class per row"):
        plot_decision_regions(model, X, y[:-1])
    with pytest.raises(ValueError, match="n_std must be > 0"):
        plot_decision_regions(model, X, y, n_std=0)
    with pytest.raises(TypeError, match="model must be a fitted classifier with predict"):
        plot_decision_regions(object(), X, y)
    with pytest.raises(ValueError, match="resolution must be >= 10"):
        plot_decision_regions(model, X, y, resolution=2)


def test_accuracy_curves():
    x = np.array([1.0, 10.0, 100.0])
    curves = {"a": ([0.6, 0.7, 0.8], [0.01, 0.01, 0.0]), "b": ([0.5, 0.8, 0.81], [0.0] * 3)}
    ax = plot_accuracy_curves(x, curves, xlabel="n", logx=True, reference=0.85, title="t")
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), curves["a"][0])
    np.testing.assert_allclose(lines[1].get_xdata(), x)
    assert lines[2].get_ydata()[0] == 0.85
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "Bayes accuracy"]


def test_accuracy_curves_bad_inputs():
    with pytest.raises(ValueError, match="curves must hold at least one method"):
        plot_accuracy_curves([1.0], {}, xlabel="n")
    with pytest.raises(ValueError, match=r"curves\['a'\] must give a mean and a standard error"):
        plot_accuracy_curves([1.0, 2.0], {"a": ([0.5], [0.1])}, xlabel="n")
    with pytest.raises(ValueError, match="contains NaN"):
        plot_accuracy_curves([1.0], {"a": ([np.nan], [0.1])}, xlabel="n")
