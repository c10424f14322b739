"""Figures of Gaussians and mixtures (mixgrad.plot.gaussians): geometry and content.

References: numpy's eigh for the computations, Mahalanobis distances of points
on the drawn ellipse for its geometry.
"""


import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import Ellipse
from mixgrad.mixture import sample_mixture
from mixgrad.mixture.evaluation import align_labels
from mixgrad.plot import PALETTE
from mixgrad.plot.gaussians import (
    covariance_axes,
    plot_covariance_ellipse,
    plot_gaussian_2d,
    plot_gaussians_1d,
    plot_labelled_samples,
    plot_mixture_1d,
    plot_soft_assignment,
    plot_zip_counts,
    soft_colours,
)
from scipy import stats


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _covariance(angle_deg, major, minor):
    t = np.radians(angle_deg)
    V = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return V @ np.diag([major**2, minor**2]) @ V.T


# --- covariance_axes ------------------------------------------------------------------


@given(angle=st.floats(-89.0, 90.0), major=st.floats(0.2, 5.0), ratio=st.floats(0.05, 0.95))
def test_covariance_axes_recovers_rotation_and_elongation(angle, major, ratio):
    cov = _covariance(angle, major, major * ratio)
    lengths, V, got = covariance_axes(cov)
    assert np.allclose(lengths, [major, major * ratio], rtol=1e-9)
    assert abs(got - angle) < 1e-6
    assert np.allclose(V @ np.diag(lengths**2) @ V.T, cov, atol=1e-12 * major**2)
    assert np.allclose(V.T @ V, np.eye(2), atol=1e-12)


def test_covariance_axes_matches_eigh(rng):
    A = rng.normal(size=(2, 2))
    cov = A @ A.T + 0.1 * np.eye(2)
    lengths, V, _ = covariance_axes(cov)
    vals, vecs = np.linalg.eigh(cov)
    assert np.allclose(lengths**2, vals[::-1])
    for j in range(2):  # same directions up to sign
        assert abs(abs(V[:, j] @ vecs[:, 1 - j]) - 1) < 1e-12


def test_covariance_axes_diagonal_and_spherical():
    assert covariance_axes(np.diag([1.0, 4.0]))[2] == 90.0
    assert covariance_axes(np.diag([4.0, 1.0]))[2] == 0.0
    lengths, _, angle = covariance_axes(0.25 * np.eye(2))
    assert np.allclose(lengths, 0.5) and angle == 0.0


@pytest.mark.parametrize(
    ("cov", "error", "match"),
    [
        (np.eye(3), ValueError, r"shape \(2, 2\)"),
        ([[1.0, 0.5], [0.0, 1.0]], ValueError, "symmetric"),
        ([[1.0, 2.0], [2.0, 1.0]], ValueError, "positive definite"),
        ("abc", TypeError, "covariance must be a numeric array"),
        ([[np.nan, 0], [0, 1]], ValueError, "covariance contains NaN"),
    ],
)
def test_covariance_axes_rejects_bad_input(cov, error, match):
    with pytest.raises(error, match=match):
        covariance_axes(cov)


# --- figures ----------------------------------------------------------------------------


def _mahalanobis_of_ellipse(ax, patch, mean, cov):
    """Squared Mahalanobis distances of points on the drawn ellipse's outline (data units)."""
    unit = patch.get_path().vertices  # unit circle as Bezier curves: keep on-curve points
    unit = unit[np.isclose(np.hypot(unit[:, 0], unit[:, 1]), 1.0)]
    assert len(unit) >= 8
    verts = patch.get_patch_transform().transform(unit)
    d = verts - mean
    return np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d)


@pytest.mark.parametrize("n_std", [1.0, 2.0, 3.5])
def test_covariance_ellipse_is_the_mahalanobis_level_set(n_std):
    mean, cov = np.array([1.0, -2.0]), _covariance(35.0, 2.0, 0.5)
    ax = plot_covariance_ellipse(mean, cov, n_std=n_std, show_axes=True)
    assert isinstance(ax, Axes)
    (patch,) = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert np.allclose(_mahalanobis_of_ellipse(ax, patch, mean, cov), n_std**2, rtol=1e-6)
    assert len(ax.lines) == 2  # the two principal semi-axes
    for line, length in zip(ax.lines, (2.0, 0.5), strict=True):
        xs, ys = line.get_data()
        assert np.isclose(np.hypot(xs[1] - xs[0], ys[1] - ys[0]), n_std * length)


def test_covariance_ellipse_rejects_bad_input():
    with pytest.raises(ValueError, match=r"mean must have shape \(2,\)"):
        plot_covariance_ellipse([0.0, 0.0, 0.0], np.eye(2))
    with pytest.raises(ValueError, match="n_std must be finite and > 0"):
        plot_covariance_ellipse([0.0, 0.0], np.eye(2), n_std=0.0)


def test_gaussian_2d_draws_one_ellipse_per_radius(rng):
    cov = _covariance(60.0, 1.0, 0.3)
    samples = rng.multivariate_normal([0, 0], cov, size=200)
    ax = plot_gaussian_2d(np.zeros(2), cov, samples=samples, n_std=(1.0, 2.0, 3.0), title="t")
    assert len([p for p in ax.patches if isinstance(p, Ellipse)]) == 3
    assert len(ax.collections) == 1 and ax.collections[0].get_offsets().shape == (200, 2)
    assert ax.get_title() == "t"


def test_gaussians_1d_curves_match_scipy():
    ax = plot_gaussians_1d([0.0, 2.0], [1.0, 0.25])
    assert len(ax.lines) == 2
    for line, (m, v) in zip(ax.lines, [(0.0, 1.0), (2.0, 0.25)], strict=True):
        x, y = line.get_data()
        assert np.allclose(y, stats.norm.pdf(x, m, np.sqrt(v)))


def test_mixture_1d_components_and_total(rng):
    w, m, v = [0.4, 0.2, 0.4], [2.0, 5.0, 10.0], [0.36, 0.64, 0.25]
    x, _ = sample_mixture(2000, w, m, v, rng=rng)
    ax = plot_mixture_1d(w, m, v, samples=x, bins=40)
    assert len(ax.lines) == 4 and len(ax.patches) == 40
    grid, total = ax.lines[-1].get_data()
    parts = sum(line.get_ydata() for line in ax.lines[:3])
    assert np.allclose(parts, total)
    for line, (wk, mk, vk) in zip(ax.lines[:3], zip(w, m, v, strict=True), strict=True):
        assert np.allclose(line.get_ydata(), wk * stats.norm.pdf(grid, mk, np.sqrt(vk)))
    heights = np.array([p.get_height() * p.get_width() for p in ax.patches])
    assert abs(heights.sum() - 1) < 1e-12  # density-normalised histogram


def test_labelled_samples_colours_and_circles_errors(rng):
    means = np.array([[0.0, 0.0], [6.0, 0.0]])
    X, z = sample_mixture(300, [0.5, 0.5], means, np.stack([np.eye(2)] * 2), rng=rng)
    labels = 1 - z  # every cluster renamed
    labels[:5] = z[:5]  # five points now disagree after alignment
    # means, covariances and centres are indexed like `labels`: cluster 0 is component 1
    ax = plot_labelled_samples(X, labels, reference=z, means=means[::-1],
                               covariances=np.stack([np.eye(2)] * 2), centers=means[::-1])
    scatter_by_label, circles, centres = ax.collections[:2], ax.collections[2], ax.collections[3]
    for j, coll in enumerate(scatter_by_label):  # aligned: colour j shows true component j
        assert np.allclose(coll.get_facecolor()[0][:3], to_rgb(PALETTE[j]))
        assert np.array_equal(coll.get_offsets(), X[align_labels(labels, z) == j])
    assert circles.get_offsets().shape[0] == 5
    assert centres.get_offsets().shape == (2, 2)
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 2
    for e in ellipses:  # the ellipse around true component k has component k's colour
        k = int(np.argmin(np.linalg.norm(means - np.asarray(e.center), axis=1)))
        assert np.allclose(e.get_edgecolor()[:3], to_rgb(PALETTE[k]))


def test_labelled_samples_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="labels shape"):
        plot_labelled_samples(np.zeros((4, 2)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="labels must hold integer labels"):
        plot_labelled_samples(np.zeros((4, 2)), np.full(4, 0.5))


def test_soft_colours_blend_the_palette():
    R = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    c = soft_colours(R)
    a, b = np.array(to_rgb(PALETTE[0])), np.array(to_rgb(PALETTE[1]))
    assert np.allclose(c, [a, b, (a + b) / 2])
    with pytest.raises(ValueError, match="rows summing to 1"):
        soft_colours([[0.7, 0.7]])


def test_soft_assignment_scatter(rng):
    X = rng.normal(size=(10, 2))
    R = rng.dirichlet([1.0, 1.0, 1.0], size=10)
    ax = plot_soft_assignment(X, R, title="soft")
    assert np.allclose(ax.collections[0].get_facecolors()[:, :3], soft_colours(R))
    with pytest.raises(ValueError, match="matching responsibilities"):
        plot_soft_assignment(X[:5], R)


def test_zip_counts_bars_match_the_pmf(rng):
    x = rng.poisson(3.0, size=500)
    x[:150] = 0
    pi, rate = 0.3, 3.0
    ax = plot_zip_counts(x, pi, rate)
    n_bins = int(x.max()) + 2
    observed, structural, poisson = (ax.patches[:n_bins], ax.patches[n_bins],
                                     ax.patches[n_bins + 1:])
    assert np.allclose([p.get_height() for p in observed],
                       np.bincount(x, minlength=n_bins) / x.size)
    pmf = (1 - pi) * stats.poisson.pmf(np.arange(n_bins), rate)
    assert np.allclose([p.get_height() for p in poisson], pmf)
    assert np.isclose(structural.get_height(), pi) and np.isclose(structural.get_y(), pmf[0])


@pytest.mark.parametrize(
    ("x", "pi", "rate", "match"),
    [
        ([0, 1, -1], 0.2, 1.0, "non-negative integer counts"),
        ([0, 1.5], 0.2, 1.0, "non-negative integer counts"),
        ([0, 1], 1.0, 1.0, r"pi must be in \[0, 1\)"),
        ([0, 1], 0.2, 0.0, "rate must be finite and > 0"),
    ],
)
def test_zip_counts_rejects_bad_input(x, pi, rate, match):
    with pytest.raises(ValueError, match=match):
        plot_zip_counts(np.array(x), pi, rate)
