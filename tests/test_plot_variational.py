"""Weights-vs-concentration figure (mixgrad.plot.variational): what is drawn, and bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mixgrad.plot.variational import plot_weights_vs_concentration


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_one_sorted_line_per_rank_and_the_threshold():
    alpha0s = np.array([1e-3, 1e-1, 10.0])
    weights = np.array([[0.1, 0.8, 0.1], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3]])
    ax = plot_weights_vs_concentration(alpha0s, weights, threshold=0.05)
    lines = ax.get_lines()
    assert len(lines) == 4
    np.testing.assert_allclose(lines[0].get_ydata(), [0.8, 0.5, 0.4])
    np.testing.assert_allclose(lines[2].get_ydata(), [0.1, 0.2, 0.3])
    np.testing.assert_allclose(lines[3].get_ydata(), [0.05, 0.05])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_bad_input():
    with pytest.raises(ValueError, match="one row per concentration"):
        plot_weights_vs_concentration([1.0, 2.0], np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="must be positive"):
        plot_weights_vs_concentration([1.0], [[1.0, 0.0]])
