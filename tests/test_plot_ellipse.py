"""The shared covariance ellipse (mixgrad.plot.ellipse) and the modules that draw it.

References: numpy's eigvalsh for the axis lengths, a covariance built as
``R(theta) diag(a^2, b^2) R(theta)^T`` for the angle (known by construction),
Mahalanobis distances of points on the patch outline for the level set.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.patches import Ellipse
from mixgrad.plot import em_fit, gaussians, semi
from mixgrad.plot.ellipse import covariance_axes, covariance_ellipse


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _covariance(angle_deg, major, minor):
    t = np.radians(angle_deg)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return R @ np.diag([major**2, minor**2]) @ R.T


def _mahalanobis_sq(ellipse, mean, cov):
    """Squared Mahalanobis distances of on-curve points of the patch outline."""
    unit = ellipse.get_path().vertices
    unit = unit[np.isclose(np.hypot(unit[:, 0], unit[:, 1]), 1.0)]
    assert len(unit) >= 8
    d = ellipse.get_patch_transform().transform(unit) - mean
    return np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d)


@given(st.floats(-89.0, 89.0), st.floats(0.1, 10.0), st.floats(0.05, 0.95),
       st.floats(0.5, 4.0))
def test_axes_are_n_std_sqrt_eigenvalues_and_angle_is_the_major_axis(angle, major, ratio, n_std):
    cov = _covariance(angle, major, major * ratio)
    e = covariance_ellipse([0.5, -1.0], cov, n_std=n_std)
    assert isinstance(e, Ellipse)
    assert np.allclose(e.center, (0.5, -1.0))
    eigenvalues = np.linalg.eigvalsh(cov)[::-1]  # independent of the code under test
    assert np.allclose([e.width, e.height], 2 * n_std * np.sqrt(eigenvalues), rtol=1e-9)
    assert -90.0 < e.angle <= 90.0
    assert np.isclose(e.angle, angle, atol=1e-6)  # the rotation we built cov with


@pytest.mark.parametrize("n_std", [1.0, 2.0, 3.0])
def test_outline_is_the_mahalanobis_level_set(n_std):
    mean, cov = np.array([1.0, 2.0]), np.array([[2.0, 0.8], [0.8, 1.0]])
    e = covariance_ellipse(mean, cov, n_std=n_std)
    assert np.allclose(_mahalanobis_sq(e, mean, cov), n_std**2, rtol=1e-8)


def test_axis_aligned_and_circular_cases():
    assert covariance_ellipse([0, 0], np.diag([1.0, 4.0])).angle == 90.0
    assert covariance_ellipse([0, 0], np.diag([4.0, 1.0])).angle == 0.0
    circle = covariance_ellipse([0, 0], 0.25 * np.eye(2), n_std=1.0)
    assert np.allclose([circle.width, circle.height], 1.0)


def test_patch_kwargs_are_passed_to_the_ellipse():
    e = covariance_ellipse([0, 0], np.eye(2), fill=False, edgecolor="red", linewidth=3.0,
                           label="c")
    assert not e.get_fill() and e.get_linewidth() == 3.0 and e.get_label() == "c"
    assert np.allclose(e.get_edgecolor(), (1.0, 0.0, 0.0, 1.0))


def test_rounding_level_asymmetry_is_accepted_at_any_scale():
    cov = 1e6 * np.array([[2.0, 0.8], [0.8, 1.0]])
    cov[0, 1] += 1e-7  # relative 1e-13: rounding of a fitted covariance, not an input error
    e = covariance_ellipse([0, 0], cov, n_std=1.0)
    sym = (cov + cov.T) / 2
    assert np.allclose([e.width, e.height], 2 * np.sqrt(np.linalg.eigvalsh(sym)[::-1]))


@pytest.mark.parametrize(
    ("mean", "cov", "kwargs", "error", "match"),
    [
        ([0.0, 0.0, 0.0], np.eye(2), {}, ValueError, r"mean must have shape \(2,\)"),
        ([0.0, np.nan], np.eye(2), {}, ValueError, "mean contains NaN"),
        ([0.0, 0.0], np.eye(3), {}, ValueError, r"covariance must have shape \(2, 2\)"),
        ([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]], {}, ValueError, "covariance must be symmetric"),
        ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], {}, ValueError, "positive definite"),
        ([0.0, 0.0], np.zeros((2, 2)), {}, ValueError, "positive definite"),
        ([0.0, 0.0], np.eye(2), {"n_std": 0.0}, ValueError, "n_std must be finite and > 0"),
        ([0.0, 0.0], np.eye(2), {"n_std": np.inf}, ValueError, "n_std must be finite and > 0"),
        ([0.0, 0.0], np.eye(2), {"n_std": "2"}, TypeError, "n_std must be a real number"),
    ],
)
def test_rejects_bad_input(mean, cov, kwargs, error, match):
    with pytest.raises(error, match=match):
        covariance_ellipse(mean, cov, **kwargs)


def test_plot_modules_share_the_one_implementation():
    assert semi.covariance_ellipse is covariance_ellipse
    assert gaussians.covariance_axes is covariance_axes
    # The figures draw the same patch geometry as the shared function.
    mean, cov = np.array([1.0, -1.0]), _covariance(30.0, 3.0, 1.0)
    ref = covariance_ellipse(mean, cov, n_std=2.0)
    ax = gaussians.plot_covariance_ellipse(mean, cov, n_std=2.0)
    ax2 = em_fit.plot_fit(np.zeros((3, 2)), [1.0], mean[None], cov[None], n_std=(2.0,))
    for drawn in (ax.patches[0], ax2.patches[0]):
        assert (drawn.width, drawn.height, drawn.angle) == (ref.width, ref.height, ref.angle)
