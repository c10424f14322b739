"""mixgrad.plot.choose_k: the LOO/BIC panels, component counts, label agreement."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mixgrad.plot.choose_k import plot_component_counts, plot_label_agreement, plot_loo_and_bic


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_loo_and_bic_panels_mark_each_best():
    ks = [1, 2, 3, 4]
    axes = plot_loo_and_bic(ks, [-48.0, 0.0, -0.8, -1.5], [7.8, 0.0, 0.3, 0.4],
                            [745.0, 670.0, 683.0, 697.0])
    left, right = axes
    # the filled marker sits at the best K of each criterion: K = 2 for both here
    for ax in axes:
        best = ax.lines[-1]
        assert best.get_xdata()[0] == 2 and best.get_markerfacecolor() != "white"
        # drawn above every other artist (regression: the error bar used to hide it)
        others = [a.get_zorder() for a in ax.lines[:-1] + ax.collections]
        assert best.get_zorder() > max(others)
    assert list(left.get_xticks()) == ks
    with pytest.raises(ValueError, match="must have the same length"):
        plot_loo_and_bic(ks, [1.0, 2.0], [1.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="dse must be non-negative"):
        plot_loo_and_bic([1, 2], [0.0, -1.0], [0.0, -1.0], [1.0, 2.0])


def test_component_counts_are_frequencies():
    ax = plot_component_counts({"occupied": [2, 2, 3, 2], "weight > 0.01": [2, 3, 3, 3]})
    heights = [[bar.get_height() for bar in container] for container in ax.containers]
    np.testing.assert_allclose(heights[0], [0.0, 0.75, 0.25])
    np.testing.assert_allclose(heights[1], [0.0, 0.25, 0.75])
    ax = plot_component_counts({"a": [1, 1]}, max_count=4, ylabel="prior probability")
    assert len(ax.containers[0]) == 4 and ax.get_ylabel() == "prior probability"
    with pytest.raises(TypeError, match="counts must be a non-empty dict"):
        plot_component_counts([1, 2])


def test_label_agreement_plots_column_one():
    p = np.array([[0.9, 0.1], [0.2, 0.8]])
    ax = plot_label_agreement(p, p[:, 1] + 0.01)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[0.11, 0.1], [0.81, 0.8]])
    with pytest.raises(ValueError, match="must describe the same points"):
        plot_label_agreement(p, np.zeros(3))
