"""Semi-supervised figures (mixgrad.plot.semi): what is drawn, where."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.patches import Ellipse
from mixgrad.plot.semi import covariance_ellipse, plot_accuracy_curves, plot_labelled_scatter


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _mahalanobis(points, mean, covariance):
    diff = points - mean
    return np.sqrt(np.einsum("ij,jk,ik->i", diff, np.linalg.inv(covariance), diff))


@pytest.mark.parametrize("covariance", [
    [[2.0, 0.8], [0.8, 1.0]],
    [[1.0, -0.9], [-0.9, 1.0]],
    [[0.5, 0.0], [0.0, 3.0]],
])
def test_ellipse_boundary_has_mahalanobis_radius_n_std(covariance):
    mean, covariance = np.array([1.0, -2.0]), np.array(covariance)
    ellipse = covariance_ellipse(mean, covariance, n_std=1.5)
    _, ax = plt.subplots()
    ax.add_patch(ellipse)
    # The unit circle is drawn with cubic Bezier curves: every third vertex lies on it.
    on_curve = ellipse.get_path().vertices[::3]
    boundary = ellipse.get_patch_transform().transform(on_curve)
    assert len(boundary) >= 8
    assert np.allclose(_mahalanobis(boundary, mean, covariance), 1.5, atol=1e-6)


@pytest.mark.parametrize("mean, covariance, match", [
    ([0.0, 0.0, 0.0], np.eye(2), "ellipses are drawn for 2-D data only"),
    ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], "positive definite"),
    ([0.0, np.nan], np.eye(2), "mean contains NaN"),
])
def test_ellipse_rejects_bad_input(mean, covariance, match):
    with pytest.raises(ValueError, match=match):
        covariance_ellipse(mean, covariance)


def test_labelled_scatter_draws_groups_and_ellipses(rng):
    X = rng.normal(size=(50, 2))
    labels = np.full(50, -1)
    labels[:3], labels[3:6] = 0, 1
    means = np.array([[0.0, 0.0], [1.0, 1.0]])
    covariances = np.array([np.eye(2), [[1.0, 0.5], [0.5, 1.0]]])
    ax = plot_labelled_scatter(X, labels, means=means, covariances=covariances,
                               class_names=["women", "men"])
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 3  # unlabelled, class 0, class 1
    assert len(ax.collections[0].get_offsets()) == 44
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 2 and len(ax.lines) == 2
    assert np.allclose(ax.lines[1].get_xydata(), [[1.0, 1.0]])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["unlabelled", "women (labelled)", "men (labelled)"]


def test_labelled_scatter_tied_covariance_and_given_axes(rng):
    _, axes = plt.subplots(1, 2)
    X = rng.normal(size=(10, 2))
    out = plot_labelled_scatter(X, np.array([0, 1] + [-1] * 8), means=np.zeros((2, 2)),
                                covariances=np.eye(2), ax=axes[1])
    assert out is axes[1] and len(axes[0].collections) == 0 and len(out.patches) == 2


def test_labelled_scatter_without_unlabelled_points_has_no_grey_group(rng):
    ax = plot_labelled_scatter(rng.normal(size=(6, 2)), np.array([0, 0, 0, 1, 1, 1]))
    assert len(ax.collections) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0 (labelled)",
                                                                  "class 1 (labelled)"]


@pytest.mark.parametrize("kwargs, match", [
    ({"X": np.zeros((4, 3))}, "X must have 2 features"),
    ({"labels": np.array([0.0, 1.0, -1.0, -1.0])}, "labels must be integers"),
    ({"means": np.zeros((2, 2))}, "pass means and covariances together"),
    ({"means": np.zeros((2, 2)), "covariances": np.zeros((3, 2, 2))},
     r"covariances must have shape \(2, 2, 2\)"),
])
def test_labelled_scatter_rejects_bad_input(kwargs, match):
    args = {"X": np.zeros((4, 2)), "labels": np.array([0, 1, -1, -1])}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        plot_labelled_scatter(**args)


def test_accuracy_curves_plot_means_and_bands(rng):
    n = np.array([1, 3, 10])
    accs = {"supervised": rng.uniform(0.5, 1, size=(6, 3)),
            "semi-supervised": rng.uniform(0.7, 1, size=(6, 3))}
    ax = plot_accuracy_curves(n, accs, reference={"Bayes": 0.9})
    assert ax.get_xscale() == "log"
    assert len(ax.lines) == 3 and len(ax.collections) == 2
    for line, acc in zip(ax.lines, accs.values(), strict=False):
        assert np.allclose(line.get_ydata(), acc.mean(axis=0))
    # the band spans the 10 % to 90 % replicate quantiles
    band = ax.collections[1].get_paths()[0].vertices[:, 1]
    lo, hi = np.quantile(accs["semi-supervised"], [0.1, 0.9], axis=0)
    assert np.isclose(band.min(), lo.min()) and np.isclose(band.max(), hi.max())
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["supervised", "semi-supervised", "Bayes"]
    assert np.array_equal(ax.get_xticks(), n)  # one labelled tick per number of labels


@pytest.mark.parametrize("n, accs, kwargs, error, match", [
    ([0, 1], {"a": np.ones((2, 2))}, {}, ValueError, "n_labelled must be positive"),
    ([1, 2], {}, {}, TypeError, "non-empty dict"),
    ([1, 2], {"a": np.ones((2, 3))}, {}, ValueError, "has 3 columns"),
    ([1, 2], {"a": np.ones((2, 2))}, {"quantiles": (0.9, 0.1)}, ValueError, "quantiles"),
])
def test_accuracy_curves_reject_bad_input(n, accs, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_accuracy_curves(n, accs, **kwargs)
