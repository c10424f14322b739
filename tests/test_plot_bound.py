"""mixgrad.plot.bound: the staircase, the KL gap and the touching-bound figures."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from mixgrad.mixture import GaussianMixture, precisions_cholesky_from_covariances
from mixgrad.mixture.bound import lower_bound_curve
from mixgrad.plot.bound import plot_elbo_staircase, plot_kl_gap, plot_lower_bound


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def history(rng):
    X = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + [3.0, 0.5]])
    gm = GaussianMixture(2, means_init=[[1.0, 0.0], [1.5, 0.3]], tol=1e-8, max_iter=300)
    return gm.fit(X).history_


def finite_xy(line):
    x, y = (np.asarray(a, dtype=float) for a in line.get_data())
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def test_staircase_draws_the_chain(history):
    ax = plot_elbo_staircase(history)
    assert isinstance(ax, Axes)
    ll, m, e = ax.lines
    assert [ln.get_label() for ln in ax.lines] == [
        "log-likelihood", "M-step (raises the ELBO)", "E-step (closes the gap)"]
    n = history.n_iter
    # log-likelihood markers: l(theta_0) then l(theta_t), t = 1..n
    x, y = finite_xy(ll)
    np.testing.assert_array_equal(x, np.arange(n + 1))
    np.testing.assert_allclose(y, np.r_[history.elbo_e_step[0], history.log_likelihood])
    # M-step segments go up (the ELBO rises), E-step segments are vertical, upward by KL
    mx, my = finite_xy(m)
    assert np.all(np.diff(mx)[::2] == 1) and np.all(np.diff(my)[::2] >= 0)
    ex, ey = finite_xy(e)
    np.testing.assert_array_equal(ex[::2], ex[1::2])
    np.testing.assert_allclose(ey[1::2] - ey[::2], history.kl, atol=1e-15)


def test_staircase_window(history):
    ax = plot_elbo_staircase(history, first=2, n_iter=3)
    x, _ = finite_xy(ax.lines[0])
    np.testing.assert_array_equal(x, [2, 3, 4, 5])
    ax = plot_elbo_staircase(history, first=2, n_iter=1000)  # clipped to the run
    assert finite_xy(ax.lines[0])[0][-1] == history.n_iter


def test_kl_gap_figure(history):
    _, ax = plt.subplots()
    assert plot_kl_gap(history, ax=ax) is ax
    assert ax.get_yscale() == "log"
    kl, gain = ax.lines
    np.testing.assert_array_equal(kl.get_xdata(), np.arange(1, history.n_iter + 1))
    y = np.asarray(kl.get_ydata(), dtype=float)
    positive = history.kl > 0
    np.testing.assert_allclose(y[positive], history.kl[positive])
    assert np.all(np.isnan(y[~positive]))
    g = np.asarray(gain.get_ydata(), dtype=float)
    expected = history.elbo_m_step - history.elbo_e_step
    np.testing.assert_allclose(g[expected > 0], expected[expected > 0])


def test_history_bad_inputs(history):
    with pytest.raises(TypeError, match="history must be an EMHistory"):
        plot_elbo_staircase({"kl": [1.0]})
    bad = SimpleNamespace(**history.as_dict())
    bad.kl = bad.kl[:-1]
    with pytest.raises(ValueError, match="equal length"):
        plot_kl_gap(bad)
    bad = SimpleNamespace(**history.as_dict())
    bad.elbo_e_step = np.r_[-np.inf, bad.elbo_e_step[1:]]  # supervised fits start at -inf
    with pytest.raises(ValueError, match="history.elbo_e_step"):
        plot_elbo_staircase(bad)
    too_far = history.log_likelihood.size  # one past the last iteration
    with pytest.raises(ValueError, match=f"first={too_far} must be below the number of iterations"):
        plot_elbo_staircase(history, first=too_far)
    with pytest.raises(ValueError, match="n_iter must be >= 1"):
        plot_elbo_staircase(history, n_iter=0)


def test_lower_bound_figure(rng):
    x = np.r_[rng.normal(0.0, 1.0, 80), rng.normal(4.0, 1.0, 80)][:, None]
    w, mu = np.array([0.5, 0.5]), np.array([[1.0], [5.0]])
    prec = precisions_cholesky_from_covariances(np.ones(2), "spherical")
    grid = np.linspace(-2.0, 4.0, 121)
    ll, lb = lower_bound_curve(x, w, mu, prec, "spherical", grid)
    ax = plot_lower_bound(grid, ll, lb[None], [1.0], xlabel=r"$\mu_1$")
    assert len(ax.lines) == 1 + 4
    curve, bound, vline, best, touch = ax.lines
    np.testing.assert_allclose(bound.get_ydata(), lb)
    assert vline.get_xdata()[0] == 1.0
    assert best.get_xdata()[0] == grid[np.argmax(lb)]
    assert touch.get_ydata()[0] == pytest.approx(np.interp(1.0, grid, ll))
    low, high = ax.get_ylim()
    assert low < lb.min() or low < ll.min()
    assert high > ll.max()
    assert ax.get_xlabel() == r"$\mu_1$"


def test_lower_bound_bad_inputs():
    v = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="one value per entry of values"):
        plot_lower_bound(v, v[:-1], v[None], [0.5])
    with pytest.raises(ValueError, match="touch_at needs one value per bound"):
        plot_lower_bound(v, v, np.vstack([v, v]), [0.5])
    with pytest.raises(ValueError, match="elbos"):
        plot_lower_bound(v, v, v, [0.5])
