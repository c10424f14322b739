"""Part I figures (mixgrad.plot.ad): what is drawn, on which scales."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch
from mixgrad.ad import (
    difference_error_model,
    newton,
    optimal_step,
    step_sweep,
    trace,
)
from mixgrad.plot import plot_convergence, plot_graph, plot_step_errors, plot_sweep_costs


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def seed_list():
    return trace(lambda x1, x2: x1 * x2 + np.sin(x1), x1=0.5, x2=2.0)


def test_step_errors_figure():
    hs = np.logspace(-16, 0, 81)
    kinds = ("forward", "central", "complex")
    errors = {k: step_sweep(lambda x: x**3, 3.0, 1.0, hs, k) for k in kinds}
    optimal = {"forward": optimal_step("forward", fx=1, f2=6),
               "central": optimal_step("central", fx=1, f3=6)}
    theory = {"forward": difference_error_model(hs, kind="forward", fx=1, f2=6)}
    ax = plot_step_errors(hs, errors, optimal_steps=optimal, theory=theory)
    assert isinstance(ax, Axes)
    assert len(ax.lines) == 3 + 1 + 2
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "complex step" in labels and any(lab.startswith("optimal h (forward)") for lab in labels)
    # Exact zeros of the complex step become gaps (NaN), never -inf on a log axis.
    ydata = ax.lines[2].get_ydata()
    assert np.all(np.isnan(ydata[errors["complex"] == 0]))


def test_step_errors_draws_on_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    hs = np.logspace(-8, -1, 8)
    out = plot_step_errors(hs, {"forward": np.abs(np.sin(hs))}, ax=axes[1])
    assert out is axes[1] and len(axes[0].lines) == 0 and len(axes[1].lines) == 1


def test_convergence_figure():
    f = lambda x: x**3 - 2.0  # noqa: E731
    runs = {"dual": newton(f, 1.0), "forward, h = 0.05": newton(f, 1.0, derivative="forward",
                                                               h=0.05)}
    ax = plot_convergence(runs)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(runs)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(runs["dual"].n_iter + 1))
    ax = plot_convergence(runs["dual"])
    assert len(ax.lines) == 1 and ax.get_legend().get_texts()[0].get_text() == "dual"


def test_graph_figure(seed_list):
    n_nodes, n_edges = len(seed_list), len(seed_list.edges)
    ax = plot_graph(seed_list)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(circles) == n_nodes == 5 and len(arrows) == n_edges == 5
    assert len(ax.texts) == n_nodes
    assert {t.get_text().split("\n")[0] for t in ax.texts} == {f"w{i}" for i in range(1, 6)}
    # Inputs on the left (layer 0), the output on the right (layer 2).
    centres = {int(t.get_text().split("\n")[0][1:]): t.get_position() for t in ax.texts}
    assert centres[1][0] == centres[2][0] < centres[3][0] < centres[5][0]


def test_graph_annotations_and_direction(seed_list):
    ax = plot_graph(seed_list, values=True, tangents={"x2": 1.0}, adjoints=True,
                    direction="reverse")
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 5 * 4  # label + value + tangent + adjoint per node
    assert "ẇ5 = 0.5" in texts and "w̄1 = 2.878" in texts and "w3 = 1" in texts
    # Reverse arrows point from each node back to the nodes it reads.
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert {a.get_gid() for a in arrows} == {f"w{j}->w{i}" for i, j in seed_list.edges}
    forward = plot_graph(seed_list)
    assert {a.get_gid() for a in forward.patches if isinstance(a, FancyArrowPatch)} == {
        f"w{i}->w{j}" for i, j in seed_list.edges}
    ax = plot_graph(seed_list, adjoints=np.arange(5.0))
    assert "w̄4 = 3" in [t.get_text() for t in ax.texts]


def test_sweep_costs_figure():
    ns = np.array([1, 10, 100])
    fig, given = plt.subplots()
    ax = plot_sweep_costs(ns, ns * 1e-5, np.full(3, 2e-5), given, ylabel="sweeps")
    assert ax is given and ax.get_ylabel() == "sweeps"
    assert len(ax.lines) == 2
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), ns)


def test_bad_figure_arguments(seed_list):
    hs = np.logspace(-8, -1, 8)
    with pytest.raises(TypeError, match="errors_by_kind must be a non-empty dict"):
        plot_step_errors(hs, [1, 2])
    with pytest.raises(ValueError, match=r"errors_by_kind\['forward'\] has 3 values"):
        plot_step_errors(hs, {"forward": [1, 2, 3]})
    with pytest.raises(TypeError, match="results must be a NewtonResult"):
        plot_convergence([1, 2])
    with pytest.raises(ValueError, match="got 1 labels for 2 results"):
        r = newton(lambda x: x - 1.0, 0.0)
        plot_convergence([r, r], labels=["a"])
    with pytest.raises(TypeError, match="wengert_list must be a WengertList"):
        plot_graph("w1 = x1")
    with pytest.raises(ValueError, match="direction must be 'forward' or 'reverse'"):
        plot_graph(seed_list, direction="up")
    with pytest.raises(ValueError, match=r"adjoints must have one value per node \(5\)"):
        plot_graph(seed_list, adjoints=[1.0, 2.0])
    with pytest.raises(TypeError, match="tangents=True needs a seed"):
        plot_graph(seed_list, tangents=True)
    with pytest.raises(ValueError, match="must be > 0 for log-log axes"):
        plot_sweep_costs([1, 2], [0.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="rev_times has 1 values but ns has 2"):
        plot_sweep_costs([1, 2], [1.0, 1.0], [1.0])
