"""Wengert lists: programs as text, sweeps against references (mixgrad.ad.wengert)."""

import math

import mixgrad.ad as ad
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.ad import wengert
from mixgrad.ad.finite_diff import complex_step, fd_gradient
from mixgrad.ad.wengert import Listing, WengertList, trace


def seed_f(x1, x2):
    """The seed's example f(x1, x2) = x1 x2 + sin(x1)."""
    return x1 * x2 + wengert.sin(x1)


X1, X2 = 0.5, 2.0


def _num(v):
    return f"{v:.6g}"


# --- the seed's example -------------------------------------------------------------


def test_original_program_is_the_seeds():
    wl = trace(seed_f, x1=X1, x2=X2)
    # The listing on the seed's slide "Original program".
    assert wl.original() == "w1 = x1\nw2 = x2\nw3 = w1 * w2\nw4 = sin(w1)\nw5 = w3 + w4"
    assert isinstance(wl.original(), Listing)
    assert repr(wl.original()) == str(wl.original())  # prints as a program in notebooks
    with_values = wl.original(values=True).splitlines()
    assert with_values[3] == f"w4 = sin(w1) = {_num(math.sin(X1))}"
    assert wl.value == X1 * X2 + math.sin(X1)


def test_dual_program_follows_the_seeds_slide():
    # Slide "Dual program": ẇ1 = 0, ẇ2 = 1, ẇ3 = ẇ1 w2 + w1 ẇ2 = x1, ẇ4 = cos(w1) ẇ1 = 0,
    # ẇ5 = ẇ3 + ẇ4 = x1. The numbers are recomputed here with math.
    lines = trace(seed_f, X1, X2).dual({"x1": 0, "x2": 1}).splitlines()
    assert lines == [
        "ẇ1 = 0",
        "ẇ2 = 1",
        f"ẇ3 = w2·ẇ1 + w1·ẇ2 = {_num(X2)}·0 + {_num(X1)}·1 = {_num(X1)}",
        f"ẇ4 = cos(w1)·ẇ1 = {_num(math.cos(X1))}·0 = 0",
        f"ẇ5 = ẇ3 + ẇ4 = {_num(X1)} + 0 = {_num(X1)}",
    ]
    ascii_lines = trace(seed_f, X1, X2).dual({"x1": 1}, unicode=False).splitlines()
    assert ascii_lines[3].startswith("dw4 = cos(w1)·dw1")


def test_adjoint_program():
    lines = trace(seed_f, X1, X2).adjoint().splitlines()
    grad1 = X2 + math.cos(X1)
    assert lines == [
        "w̄5 = 1",
        "w̄4 = w̄5 = 1",
        "w̄3 = w̄5 = 1",
        f"w̄2 = w̄3·w1 = 1·{_num(X1)} = {_num(X1)}",
        f"w̄1 = w̄3·w2 + w̄4·cos(w1) = 1·{_num(X2)} + 1·{_num(math.cos(X1))} = {_num(grad1)}",
    ]


def test_sweeps_match_closed_forms():
    wl = trace(seed_f, x1=X1, x2=X2)
    grad = np.array([X2 + math.cos(X1), X1])
    np.testing.assert_allclose(wl.forward_sweep({"x1": 1.0})[-1], grad[0], rtol=1e-15)
    np.testing.assert_allclose(wl.forward_sweep({"x1": 0.3, "x2": -2.0})[-1],
                               grad @ [0.3, -2.0], rtol=1e-15)
    adjoints = wl.reverse_sweep()
    np.testing.assert_allclose(adjoints[:2], grad, rtol=1e-15)
    assert wl.gradient() == pytest.approx({"x1": grad[0], "x2": grad[1]}, rel=1e-15)
    np.testing.assert_allclose(wl.reverse_sweep(seed=2.5)[:2], 2.5 * grad, rtol=1e-15)


def test_sweeps_match_mixgrad_dual_and_grad():
    if not all(hasattr(ad, name) for name in ("Dual", "grad")):
        pytest.skip("the AD core (Dual, grad) is not available yet")
    wl = trace(seed_f, x1=X1, x2=X2)

    def f_numpy(x1, x2):
        return x1 * x2 + np.sin(x1)

    y = f_numpy(ad.Dual(X1, 1.0), ad.Dual(X2, 0.0))
    assert wl.forward_sweep({"x1": 1.0})[-1] == pytest.approx(y.tangent, rel=1e-15)
    g = ad.grad(lambda x: f_numpy(x[0], x[1]))(np.array([X1, X2]))
    np.testing.assert_allclose(wl.reverse_sweep()[:2], g, rtol=1e-15)


def test_graph_of_the_seed_example():
    wl = trace(seed_f, X1, X2)
    assert len(wl) == 5 and wl.output == 5
    assert set(wl.edges) == {(1, 3), (2, 3), (1, 4), (3, 5), (4, 5)}
    np.testing.assert_array_equal(wl.layers(), [0, 0, 1, 1, 2])
    assert [wl.label(i) for i in range(1, 6)] == ["x1", "x2", "×", "sin", "+"]
    # x * x reads w1 twice but has one edge.
    assert trace(lambda x: x * x, 3.0).edges == ((1, 2),)


# --- numpy support, constants ------------------------------------------------------------


def test_numpy_ufuncs_and_constants_are_recorded():
    wl = trace(lambda x: np.float64(2.0) * np.sin(x) + np.exp(x) / 3 - 1, x=0.7)
    assert wl.original() == (
        "w1 = x\nw2 = sin(w1)\nw3 = 2 * w2\nw4 = exp(w1)\nw5 = w4 / 3\nw6 = w3 + w5\nw7 = w6 - 1"
    )
    expected = 2 * math.cos(0.7) + math.exp(0.7) / 3
    assert wl.forward_sweep({"x": 1.0})[-1] == pytest.approx(expected, rel=1e-15)
    assert wl.reverse_sweep()[0] == pytest.approx(expected, rel=1e-15)


def test_constant_exponent_and_traced_exponent():
    wl = trace(lambda x, y: x**3 + 2.0**y + x**y, x=1.5, y=0.5)
    assert "w3 = w1 ** 3" in wl.original()
    grad = [3 * 1.5**2 + 0.5 * 1.5**-0.5, math.log(2) * 2**0.5 + 1.5**0.5 * math.log(1.5)]
    np.testing.assert_allclose(wl.reverse_sweep()[:2], grad, rtol=1e-14)
    assert "3·w1²·ẇ1" in wl.dual({"x": 1.0})


# --- random straight-line programs -------------------------------------------------------

UNARY = ["sin({0})", "cos({0})", "exp(sin({0}))", "tanh({0})", "log({0} * {0} + 1)",
         "sqrt({0} * {0} + 1)", "tan(tanh({0}))", "-{0}", "{0} * {c}"]
BINARY = ["{0} + {1}", "{0} - {1}", "{0} * {1}", "{0} / ({1} * {1} + 1)",
          "({0} * {0} + 1) ** {1}", "({0} * {0} + 1) ** {c}", "{c} - {1}"]


@st.composite
def programs(draw):
    """Source of a random straight-line function of two or three inputs."""
    n_inputs = draw(st.integers(2, 3))
    names = [f"x{i}" for i in range(1, n_inputs + 1)]
    lines = []
    for k in range(draw(st.integers(1, 7))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        template = draw(st.sampled_from(UNARY + BINARY))
        c = draw(st.sampled_from([0.5, 2, -1.5, 3]))
        lines.append(f"    w{k} = {template.format(a, b, c=c)}")
        names.append(f"w{k}")
    body = "\n".join(lines)
    return f"def f({', '.join(names[:n_inputs])}):\n{body}\n    return {names[-1]}\n", n_inputs


def _compile(src):
    namespace = {name: getattr(wengert, name) for name in wengert.__all__}
    exec(src, namespace)
    return namespace["f"]


@given(programs(), st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3),
       st.lists(st.floats(-1, 1), min_size=3, max_size=3))
def test_random_programs_forward_equals_reverse_equals_complex_step(program, point, v):
    src, n = program
    f = _compile(src)
    x, v = np.array(point[:n]), np.array(v[:n])
    wl = trace(f, *x)
    assert wl.value == pytest.approx(f(*x), rel=1e-15)
    names = [f"x{i}" for i in range(1, n + 1)]
    forward = wl.forward_sweep(dict(zip(names, v, strict=True)))[wl.output - 1]
    gradient = wl.reverse_sweep()[:n]
    # Complex step along v (the same function, run on complex numbers).
    reference = float(complex_step(lambda t: f(*(x + t * v)), 0.0))
    assert forward == pytest.approx(reference, rel=1e-12, abs=1e-12)
    # u^T (J v) = (u^T J) v for the scalar output (u = 1).
    assert gradient @ v == pytest.approx(forward, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(gradient, fd_gradient(lambda z: f(*z), x, kind="complex"),
                               rtol=1e-12, atol=1e-12)


# --- bad input ----------------------------------------------------------------------------


def test_domain_errors_are_clear():
    with pytest.raises(ValueError, match="log: input must be > 0, got -1.0"):
        trace(lambda x: wengert.log(x), -1.0)
    with pytest.raises(ValueError, match="sqrt: .*got 0.0"):
        trace(lambda x: np.sqrt(x), 0.0)
    with pytest.raises(ValueError, match="division by zero"):
        trace(lambda x: 1 / (x - x), 2.0)
    with pytest.raises(ValueError, match="negative base needs an integer exponent"):
        trace(lambda x: x**0.5, -2.0)
    with pytest.raises(ValueError, match="traced exponent needs a > 0"):
        trace(lambda x: (-2.0) ** x, 1.0)


def test_unsupported_operations():
    with pytest.raises(NotImplementedError, match="numpy.arctan .*supported: add"):
        trace(lambda x: np.arctan(x), 1.0)
    with pytest.raises(TypeError, match="cannot be compared"):
        trace(lambda x: x if x > 0 else -x, 1.0)
    with pytest.raises(TypeError, match="cannot be converted to float"):
        trace(lambda x: math.sin(x), 1.0)
    with pytest.raises(TypeError, match="constant in mul must be a real number, got ndarray"):
        trace(lambda x: x * np.ones(2), 1.0)


def test_bad_trace_arguments():
    with pytest.raises(TypeError, match="f must be a callable"):
        trace("f", 1.0)
    with pytest.raises(TypeError, match="does not match the parameters"):
        trace(seed_f, 1.0)
    with pytest.raises(TypeError, match="x1 must be a real number, got str"):
        trace(seed_f, x1="a", x2=1.0)
    with pytest.raises(ValueError, match="x2 must be finite"):
        trace(seed_f, x1=1.0, x2=np.nan)
    with pytest.raises(ValueError, match="returned float, not a traced value"):
        trace(lambda x: 3.0, 1.0)
    with pytest.raises(ValueError, match="returned tuple"):
        trace(lambda x: (x, x), 1.0)
    with pytest.raises(ValueError, match="no inputs"):
        trace(lambda: 1.0)
    captured = []
    trace(lambda x: captured.append(x) or x, 1.0)
    with pytest.raises(ValueError, match="different calls of trace"):
        trace(lambda y: y + captured[0], 2.0)


def test_bad_seeds():
    wl = trace(seed_f, X1, X2)
    assert isinstance(wl, WengertList)
    with pytest.raises(ValueError, match=r"unknown inputs \['x3'\]; the inputs are"):
        wl.forward_sweep({"x3": 1.0})
    with pytest.raises(TypeError, match="seed must be a dict"):
        wl.dual([1.0, 0.0])
    with pytest.raises(TypeError, match="seed is required"):
        wl.forward_sweep(None)
    with pytest.raises(TypeError, match=r"seed\['x1'\] must be a real number"):
        wl.forward_sweep({"x1": "1"})
    with pytest.raises(ValueError, match="seed must be finite"):
        wl.reverse_sweep(np.inf)
