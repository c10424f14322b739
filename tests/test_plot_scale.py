"""mixgrad.plot.scale: the gap-to-optimum curves of batch, incremental and stepwise EM."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mixgrad.plot.scale import plot_gap_to_optimum


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_gap_curves_draw_the_gap_with_a_floor():
    x = np.arange(5.0)
    values = np.array([-3.0, -2.0, -1.5, -1.0, -0.5])
    _, ax = plt.subplots()
    out = plot_gap_to_optimum({"a": (x, values), "b": (x, values - 1)}, -0.5,
                              xlabel="points seen", floor=1e-9, ax=ax)
    assert out is ax and [ln.get_label() for ln in ax.lines] == ["a", "b"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.5, 1.5, 1.0, 0.5, 1e-9])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [3.5, 2.5, 2.0, 1.5, 1.0])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "points seen"


@pytest.mark.parametrize(("curves", "optimum", "floor", "error", "match"), [
    ({}, 0.0, 1e-12, TypeError, "non-empty dict"),
    ([([0.0], [0.0])], 0.0, 1e-12, TypeError, "non-empty dict"),
    ({"a": ([0.0], [0.0], [0.0])}, 0.0, 1e-12, TypeError, "pair"),
    ({"a": ([0.0, 1.0], [0.0])}, 0.0, 1e-12, ValueError, "same length"),
    ({"a": ([0.0], [np.inf])}, 0.0, 1e-12, ValueError, "values of 'a'"),
    ({"a": ([0.0], [0.0])}, np.nan, 1e-12, ValueError, "optimum"),
    ({"a": ([0.0], [0.0])}, 0.0, 0.0, ValueError, "floor"),
    ({str(i): ([0.0], [0.0]) for i in range(20)}, 0.0, 1e-12, ValueError, "at most"),
])
def test_gap_curves_reject_bad_input(curves, optimum, floor, error, match):
    with pytest.raises(error, match=match):
        plot_gap_to_optimum(curves, optimum, xlabel="x", floor=floor)
