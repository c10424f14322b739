"""mixgrad.plot.systems: what is drawn."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from mixgrad.plot.systems import plot_energy_error, plot_node_counts, plot_trajectory


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_node_counts_bars():
    counts = {"f": {"as built": 9, "after rewrites": 2},
              "gmm": {"as built": 80, "after rewrites": 30}}
    ax = plot_node_counts(counts)
    assert isinstance(ax, Axes)
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == [2, 9, 30, 80]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["f", "gmm"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["as built", "after rewrites"]


def test_node_counts_rejects_ragged():
    with pytest.raises(ValueError, match="must have the stages"):
        plot_node_counts({"f": {"a": 1, "b": 2}, "g": {"a": 1}})
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_node_counts({})


def test_energy_error_lines():
    ax = plot_energy_error({0.1: np.zeros(5), 0.5: np.linspace(0, 1, 5)})
    assert len(ax.lines) == 3  # two trajectories and the zero line
    assert np.allclose(ax.lines[1].get_ydata(), np.linspace(0, 1, 5))
    assert np.allclose(ax.lines[1].get_xdata(), 0.5 * np.arange(5))  # time = index * step
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_energy_error({})


def test_trajectory_with_contours():
    positions = np.array([[0.0, 0.0], [0.5, 0.2], [1.0, 0.1]])
    grid = (np.linspace(-1, 1, 5), np.linspace(-1, 1, 4))
    ax = plot_trajectory(positions, lambda q: -q @ q, grid=grid)
    assert np.allclose(ax.lines[0].get_xydata(), positions)
    assert len(ax.collections) > 0  # contours drawn
    with pytest.raises(ValueError, match="both logp and grid"):
        plot_trajectory(positions, lambda q: 0.0)
    with pytest.raises(ValueError, match="shape \\(n_points, 2\\)"):
        plot_trajectory(np.zeros((3, 3)))
