"""Figures of the missing-data chapter (mixgrad.plot.missing): what is drawn."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from mixgrad.datasets import bivariate_censored_y, bivariate_missing_y
from mixgrad.mixture import bivariate_history_table, censored_normal_em, mvn_em
from mixgrad.plot.missing import (
    plot_censored_histogram,
    plot_imputations,
    plot_parameter_trajectories,
)
from scipy.stats import norm


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def example():
    return bivariate_missing_y(7)


@pytest.fixture
def fits(example):
    start = {"mean_init": example["mean_init"], "cov_init": example["cov_init"]}
    return {m: mvn_em(example["X"], method=m, **start) for m in ("naive", "exact")}


def test_trajectories_draw_every_table_and_reference(fits):
    tables = {m: bivariate_history_table(r) for m, r in fits.items()}
    refs = {"truth": {"rho": 0.82, "s2": 0.75}, "only rho": {"rho": 0.5}}
    axes = plot_parameter_trajectories(tables, params=("rho", "s2"), references=refs)
    assert axes.shape == (2,) and all(isinstance(ax, Axes) for ax in axes)
    # rho panel: 2 methods + 2 references; s2 panel: 2 methods + 1 reference.
    assert len(axes[0].lines) == 4 and len(axes[1].lines) == 3
    # The drawn y-data are exactly the table's column, against 0..n_iter.
    line = axes[0].lines[1]
    np.testing.assert_array_equal(line.get_ydata(), tables["exact"]["rho"])
    np.testing.assert_array_equal(line.get_xdata(), np.arange(fits["exact"].n_iter + 1))
    assert axes[0].lines[2].get_ydata()[0] == 0.82
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert labels == ["naive", "exact", "truth", "only rho"]


def test_trajectories_on_given_axes(fits):
    fig, axes = plt.subplots(1, 3)
    table = bivariate_history_table(fits["exact"])
    out = plot_parameter_trajectories({"exact": table}, params=("mu2",), axes=axes[2:])
    assert out[0] is axes[2] and len(axes[0].lines) == 0 and len(axes[2].lines) == 1


def test_trajectories_bad_input(fits):
    table = bivariate_history_table(fits["exact"])
    with pytest.raises(TypeError, match="tables must be a non-empty dict"):
        plot_parameter_trajectories({})
    with pytest.raises(ValueError, match="has no column 'sigma'"):
        plot_parameter_trajectories({"a": table}, params=("sigma",))
    with pytest.raises(ValueError, match="params must name at least one"):
        plot_parameter_trajectories({"a": table}, params=())
    with pytest.raises(ValueError, match="axes must hold 2 Axes"):
        _, ax = plt.subplots()
        plot_parameter_trajectories({"a": table}, axes=[ax])
    with pytest.raises(TypeError, match="references must be a dict"):
        plot_parameter_trajectories({"a": table}, references=[0.8])
    bad = dict(table, rho=np.full_like(table["rho"], np.nan))
    with pytest.raises(ValueError, match="rho"):
        plot_parameter_trajectories({"a": bad})


def test_imputations_draw_only_missing_rows(example, fits):
    X = example["X"]
    missing = np.isnan(X[:, 1])
    imputed = {m: r.imputed for m, r in fits.items()}
    ax = plot_imputations(X, imputed, lost=example["X_complete"])
    assert len(ax.collections) == 1 + 2 + 1
    offsets = [c.get_offsets() for c in ax.collections]
    assert offsets[0].shape == ((~missing).sum(), 2)
    np.testing.assert_array_equal(offsets[2], fits["exact"].imputed[missing])
    np.testing.assert_array_equal(offsets[3], example["X_complete"][missing])


def test_imputations_bad_input(example):
    X = example["X"]
    with pytest.raises(ValueError, match="X must have 2 columns"):
        plot_imputations(np.zeros((5, 3)), {"a": np.zeros((5, 3))})
    with pytest.raises(TypeError, match="imputed must be a non-empty dict"):
        plot_imputations(X, {})
    with pytest.raises(ValueError, match="imputed\\['a'\\] has shape"):
        plot_imputations(X, {"a": np.zeros((3, 2))})
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X\\[:, 0\\] must be fully observed"):
        plot_imputations(bad, {"a": example["X_complete"]})
    with pytest.raises(ValueError, match="lost has shape"):
        plot_imputations(X, {"a": example["X_complete"]}, lost=np.zeros((2, 2)))


def test_censored_histogram_densities_and_mass():
    ex = bivariate_censored_y(3, n=300, threshold=1.2)
    y, censored = ex["X"][:, 1], ex["censored"]
    res = censored_normal_em(y, censored, ex["threshold"])
    fits = {"exact EM": (res.mean, res.covariance), "truth": (1.0, 0.75**2)}
    ax = plot_censored_histogram(y, censored, ex["threshold"], fits,
                                 complete=ex["X_complete"][:, 1], bins=20)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    # The observed bars integrate to the uncensored fraction of the sample.
    area = sum(p.get_height() * p.get_width() for p in bars)
    assert area == pytest.approx((~censored).mean(), rel=1e-9)
    # The threshold is a bin edge: no observed bar reaches past it.
    right = max(p.get_x() + p.get_width() for p in bars if p.get_height() > 0)
    assert right <= ex["threshold"] + 1e-12
    # Density curves match scipy's normal pdf.
    curve = ax.lines[0]
    xs, ys = curve.get_xdata(), curve.get_ydata()
    np.testing.assert_allclose(ys, norm.pdf(xs, res.mean, np.sqrt(res.covariance)))
    assert len(ax.lines) == 2 + 1 and ax.lines[2].get_xdata()[0] == ex["threshold"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"threshold ({censored.sum()} censored above)" in labels


def test_censored_histogram_bad_input():
    x = np.array([0.1, 0.5, np.nan, 0.2])
    censored = np.array([False, False, True, False])
    with pytest.raises(TypeError, match="censored must be a boolean array"):
        plot_censored_histogram(x, [0, 0, 1, 0], 1.0, {"a": (0.0, 1.0)})
    with pytest.raises(TypeError, match="fits must be a non-empty dict"):
        plot_censored_histogram(x, censored, 1.0, {})
    with pytest.raises(ValueError, match="variance must be > 0"):
        plot_censored_histogram(x, censored, 1.0, {"a": (0.0, -1.0)})
    with pytest.raises(ValueError, match="x must be finite where not censored"):
        plot_censored_histogram(x, ~censored, 1.0, {"a": (0.0, 1.0)})
    with pytest.raises(ValueError, match="bins must be >= 1"):
        plot_censored_histogram(x, censored, 1.0, {"a": (0.0, 1.0)}, bins=0)
