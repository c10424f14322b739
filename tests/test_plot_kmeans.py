"""Figures of the k-means limit (mixgrad.plot.kmeans): what is drawn, and bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from mixgrad.mixture import kmeans, soft_kmeans, soft_kmeans_responsibilities
from mixgrad.plot import PALETTE
from mixgrad.plot.gaussians import soft_colours
from mixgrad.plot.kmeans import (
    plot_cost_histories,
    plot_partitions,
    plot_responsibility_sharpening,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def blobs(rng):
    centres = np.array([[-4.0, 0.0], [0.0, 3.0], [4.0, 0.0]])
    X = np.concatenate([rng.normal(c, 1.0, size=(40, 2)) for c in centres])
    return X, centres


def test_colours_are_pure_for_one_hot_rows_and_blends_otherwise():
    R = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    rgb = soft_colours(R)
    blue, red = np.array(to_rgb(PALETTE[0])), np.array(to_rgb(PALETTE[1]))
    np.testing.assert_allclose(rgb[0], blue)
    np.testing.assert_allclose(rgb[1], red)
    np.testing.assert_allclose(rgb[2], (blue + red) / 2)


@pytest.mark.parametrize(
    ("R", "match"),
    [
        (np.array([[0.7, 0.7]]), "summing to 1"),
        (np.array([[1.5, -0.5]]), "non-negative"),
        (np.full((1, 9), 1 / 9), "at most 8"),
        (np.array([1.0, 0.0]), "responsibilities"),
    ],
)
def test_colours_reject_bad_responsibilities(R, match):
    with pytest.raises(ValueError, match=match):
        soft_colours(R)


def test_sharpening_panels_match_the_responsibilities(blobs):
    X, centres = blobs
    cs = [4.0, 0.5, 1e-3]
    fig = plot_responsibility_sharpening(X, centres, cs)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    for ax, c in zip(fig.axes, cs, strict=True):
        R = soft_kmeans_responsibilities(X, centres, c)
        points = ax.collections[0]
        np.testing.assert_allclose(points.get_offsets(), X)
        np.testing.assert_allclose(points.get_facecolors()[:, :3], soft_colours(R))
        np.testing.assert_allclose(ax.collections[1].get_offsets(), centres)
        assert ax.get_title() == f"c = {c:g}, mean max R = {R.max(axis=1).mean():.3f}"
    fig.canvas.draw()  # renders (equal aspect on every panel) without error
    # The smallest c gives the pure colours of the nearest centre (k-means labels).
    nearest = np.argmin(((X[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    pure = np.array([to_rgb(c) for c in PALETTE])[nearest]
    np.testing.assert_allclose(fig.axes[-1].collections[0].get_facecolors()[:, :3], pure,
                               atol=1e-12)


def test_sharpening_on_given_axes_and_bad_input(blobs):
    X, centres = blobs
    fig, axes = plt.subplots(1, 2)
    assert plot_responsibility_sharpening(X, centres, [1.0, 0.1], axes=axes) is fig
    with pytest.raises(ValueError, match="axes must hold 3"):
        plot_responsibility_sharpening(X, centres, [1.0, 0.1, 0.01], axes=axes)
    with pytest.raises(ValueError, match="2 columns"):
        plot_responsibility_sharpening(np.ones((5, 3)), np.ones((2, 3)), [1.0])
    with pytest.raises(ValueError, match="at least one"):
        plot_responsibility_sharpening(X, centres, [])
    with pytest.raises(ValueError, match="c"):
        plot_responsibility_sharpening(X, centres, [1.0, -1.0])


def test_cost_histories_draw_every_run(blobs, rng):
    X, centres = blobs
    km = kmeans(X, 3, init=X[:3], rng=rng)
    soft = soft_kmeans(X, X[:3], 1.0)
    soft_ll = soft.history["log_likelihood"]
    ax = plot_cost_histories({"k-means": km.history, "soft": soft_ll}, ylabel="cost")
    assert isinstance(ax, Axes) and len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), km.history)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), np.arange(1, soft_ll.size + 1))
    assert ax.get_ylabel() == "cost"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["k-means", "soft"]


def test_cost_histories_bad_input():
    with pytest.raises(TypeError, match="non-empty dict"):
        plot_cost_histories([1.0, 2.0])
    with pytest.raises(TypeError, match="non-empty dict"):
        plot_cost_histories({})
    with pytest.raises(ValueError, match=r"histories\['a'\]"):
        plot_cost_histories({"a": [1.0, np.nan]})


def test_partitions_colour_by_label_and_mark_centres(blobs, rng):
    X, centres = blobs
    km = kmeans(X, 3, init=centres, rng=rng)
    other = (km.labels + 1) % 3
    fig = plot_partitions(X, {"k-means": km.labels, "shifted": other},
                          centers_by_method={"k-means": km.centers})
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["k-means", "shifted"]
    palette = np.array([to_rgb(c) for c in PALETTE])
    np.testing.assert_allclose(fig.axes[0].collections[0].get_facecolors()[:, :3],
                               palette[km.labels])
    np.testing.assert_allclose(fig.axes[1].collections[0].get_facecolors()[:, :3],
                               palette[other])
    np.testing.assert_allclose(fig.axes[0].collections[1].get_offsets(), km.centers)
    assert len(fig.axes[1].collections) == 1  # no centres given for "shifted"
    fig.canvas.draw()


@pytest.mark.parametrize(
    ("labels", "kwargs", "error", "match"),
    [
        ([0, 1], {}, TypeError, "non-empty dict"),
        ({"a": np.zeros(3, dtype=int)}, {}, ValueError, "integer labels"),
        ({"a": np.full(120, 0.5)}, {}, ValueError, "integer labels"),
        ({"a": np.full(120, 9)}, {}, ValueError, "0..7"),
        ({"a": np.zeros(120, dtype=int)}, {"centers_by_method": {"b": np.zeros((1, 2))}},
         ValueError, "without labels"),
    ],
)
def test_partitions_bad_input(blobs, labels, kwargs, error, match):
    X, _ = blobs
    with pytest.raises(error, match=match):
        plot_partitions(X, labels, **kwargs)
