"""Source transformation of straight-line code (mixgrad.ad.source)."""

import math
import textwrap

import mixgrad.ad as ad
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.ad.finite_diff import complex_step
from mixgrad.ad.source import SUPPORTED_FUNCTIONS, differentiate_function, differentiate_source

SEED_SOURCE = """
def f(x1, x2):
    w3 = x1 * x2
    w4 = sin(x1)
    w5 = w3 + w4
    return w5
"""

# The seed's diff_function.c, written in Python.
SEED_DERIVATIVE = """\
def df(x1, x2, dx1, dx2):
    w3 = x1 * x2
    dw3 = x2 * dx1 + x1 * dx2
    w4 = sin(x1)
    dw4 = cos(x1) * dx1
    w5 = w3 + w4
    dw5 = dw3 + dw4
    return (w5, dw5)"""


def _compile(src, name):
    namespace = {f: getattr(np, f) for f in SUPPORTED_FUNCTIONS}
    namespace["np"] = np
    exec(src, namespace)
    return namespace[name]


def test_seed_example_source():
    assert differentiate_source(SEED_SOURCE) == SEED_DERIVATIVE


def test_seed_example_numbers_match_dual_and_closed_form():
    df = _compile(differentiate_source(SEED_SOURCE), "df")
    x1, x2 = 0.5, 2.0
    value, dx1 = df(x1, x2, 1.0, 0.0)
    _, dx2 = df(x1, x2, 0.0, 1.0)
    assert value == x1 * x2 + math.sin(x1)
    assert dx1 == pytest.approx(x2 + math.cos(x1), rel=1e-15)
    assert dx2 == pytest.approx(x1, rel=1e-15)
    f = _compile(SEED_SOURCE, "f")
    y = f(ad.Dual(x1, np.array([1.0, 0.0])), ad.Dual(x2, np.array([0.0, 1.0])))
    np.testing.assert_allclose([dx1, dx2], y.tangent, rtol=1e-15)


# Functions written with numpy prefixes, one per supported rule and mixed.
def g_all(x, y):
    """Every rule once."""
    a = np.sin(x) * np.cos(y) + np.tan(x / 3)
    b = np.exp(-x * y) - np.log(y) / x
    c = np.sqrt(x * x + 1) ** 1.5 + np.tanh(a - b)
    d = x**y - 2.0 / c + (-b) + (+a)
    return d * np.pi


def g_reassign(x, y):
    w = x * y
    w = w * w + x
    w += np.sin(w)
    w -= 3.0
    w *= y
    w /= x
    w **= 2
    k = 4.0  # an inactive (constant) local
    return w + k


def g_expression(x, y):
    return x * y + np.sin(x)


@pytest.mark.parametrize("g", [g_all, g_reassign, g_expression])
def test_generated_derivatives_match_dual_and_complex_step(g):
    dg = differentiate_function(g)
    x, y = 0.7, 1.3
    value, tangent = dg(x, y, 0.4, -0.9)
    assert value == pytest.approx(g(x, y), rel=1e-15)
    reference = complex_step(lambda t: g(x + 0.4 * t, y - 0.9 * t), 0.0)
    assert tangent == pytest.approx(float(reference), rel=1e-12)
    dual = g(ad.Dual(x, 0.4), ad.Dual(y, -0.9)).tangent
    assert tangent == pytest.approx(dual, rel=1e-12)
    assert dg.__name__ == "d" + g.__name__ and dg.source.startswith(f"def d{g.__name__}(")


def test_reassignment_reads_the_old_value():
    src = differentiate_source("def f(x):\n    w = x * x\n    w = w * x\n    return w\n")
    lines = [line.strip() for line in src.splitlines()]
    # The tangent of a reassigned name is written before the name is overwritten.
    assert lines.index("dw = x * dw + w * dx") < lines.index("w = w * x")
    df = _compile(src, "df")
    assert df(2.0, 1.0) == (8.0, 12.0)


def test_constants_and_style():
    src = differentiate_source("def f(x):\n    c = 2.0\n    return c * np.exp(x) + np.pi\n")
    assert "dc = 0.0" in src and "np.exp(x) * dx" in src  # np. style kept, np.pi constant
    src = differentiate_source("def f(x):\n    return x ** 3\n", prefix="dot_")
    assert src.startswith("def dot_f(x, dot_x):") and "3 * x ** 2 * dot_x" in src
    # A function of no active variable has a zero tangent.
    assert "return (2.0, 0.0)" in differentiate_source("def f(x):\n    return 2.0\n")


def test_bare_names_bind_to_numpy_and_closures_are_seen():
    scale = 3.0

    def h(x):
        w = scale * sin(x)  # noqa: F821  (bound to numpy's sin by differentiate_function)
        return w

    dh = differentiate_function(h)
    assert dh(0.2, 1.0) == pytest.approx((3 * math.sin(0.2), 3 * math.cos(0.2)), rel=1e-15)


# --- random straight-line programs -------------------------------------------------------

UNARY = ["sin({0})", "cos({0})", "exp(sin({0}))", "tanh({0})", "log({0} * {0} + 1)",
         "sqrt({0} * {0} + 1)", "tan(tanh({0}))", "-{0}", "{0} * {c}", "{0} ** 2"]
BINARY = ["{0} + {1}", "{0} - {1}", "{0} * {1}", "{0} / ({1} * {1} + 1)",
          "({0} * {0} + 1) ** {1}", "({0} * {0} + 1) ** {c}", "{c} - {1} * {0}",
          "sin({0}) * exp(-{1} * {1}) + {0} / 2"]


@st.composite
def programs(draw):
    """Source of a random straight-line function; nested expressions, reassignments."""
    n_inputs = draw(st.integers(1, 3))
    params = [f"x{i}" for i in range(1, n_inputs + 1)]
    names, lines = list(params), []
    for k in range(draw(st.integers(1, 6))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        template = draw(st.sampled_from(UNARY + BINARY))
        c = draw(st.sampled_from([0.5, 2, -1.5, 3]))
        target = draw(st.sampled_from([f"w{k}", a])) if a not in params else f"w{k}"
        lines.append(f"    {target} = {template.format(a, b, c=c)}")
        if target not in names:
            names.append(target)
    body = "\n".join(lines)
    return f"def f({', '.join(params)}):\n{body}\n    return {names[-1]}\n", n_inputs


@given(programs(), st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3),
       st.lists(st.floats(-1, 1), min_size=3, max_size=3))
def test_random_programs_match_complex_step(program, point, direction):
    src, n = program
    f, df = _compile(src, "f"), _compile(differentiate_source(src), "df")
    x, v = np.array(point[:n]), np.array(direction[:n])
    value, tangent = df(*x, *v)
    assert value == pytest.approx(f(*x), rel=1e-14, abs=1e-14)
    reference = float(complex_step(lambda t: f(*(x + t * v)), 0.0))
    assert tangent == pytest.approx(reference, rel=1e-11, abs=1e-12)


# --- unsupported code and bad input -------------------------------------------------------


@pytest.mark.parametrize("body, err, match", [
    ("for i in range(3):\n        x = x * 2", NotImplementedError, "a for loop at line 2"),
    ("while x > 1:\n        x = x / 2", NotImplementedError, "a while loop at line 2"),
    ("if x > 0:\n        x = -x", NotImplementedError, "an if statement at line 2"),
    ("w = x if x > 0 else -x", NotImplementedError, "a conditional expression at line 2"),
    ("w = erf(x)", NotImplementedError, "the function 'erf' at line 2 has no derivative rule"),
    ("w = np.floor(x)", NotImplementedError, "'np.floor' at line 2 has no derivative"),
    ("w = sin(x, out=None)", ValueError, "exactly one positional argument"),
    ("w, v = x, x", NotImplementedError, "the assignment at line 2"),
    ("w = x[0]", NotImplementedError, "indexing at line 2"),
    ("w = x // 2", NotImplementedError, "FloorDiv at line 2 has no derivative rule"),
    ("w = x.real", NotImplementedError, "attribute access on the variable 'x'"),
    ("w = 'a'", NotImplementedError, "constant 'a' is not a real number"),
    ("w = v * 2\n    v = x", ValueError, "'v' is used at line 2 before it is assigned"),
    ("return x\n    w = x", ValueError, "the return at line 2 must be the last statement"),
    ("print(x)", NotImplementedError, "an expression statement at line 2"),
])
def test_unsupported_constructs_are_named_with_their_line(body, err, match):
    src = f"def f(x):\n    {body}\n    return x\n"
    with pytest.raises(err, match=match):
        differentiate_source(src)


def test_bad_sources():
    with pytest.raises(ValueError, match="must end with a return"):
        differentiate_source("def f(x):\n    w = x\n")
    with pytest.raises(ValueError, match="must return a value"):
        differentiate_source("def f(x):\n    return\n")
    with pytest.raises(ValueError, match="exactly one function definition"):
        differentiate_source(SEED_SOURCE + SEED_SOURCE.replace("def f", "def g"))
    with pytest.raises(ValueError, match="exactly one function definition"):
        differentiate_source("x = 1")
    with pytest.raises(ValueError, match="not valid Python"):
        differentiate_source("def f(x):\n    return x +\n")
    with pytest.raises(TypeError, match="src must be a string"):
        differentiate_source(g_all)
    with pytest.raises(NotImplementedError, match=r"no \*args"):
        differentiate_source("def f(*x):\n    return x\n")
    with pytest.raises(NotImplementedError, match="default values"):
        differentiate_source("def f(x, y=1.0):\n    return x * y\n")
    with pytest.raises(ValueError, match="would be named 'dx'"):
        differentiate_source("def f(x, dx):\n    return x * dx\n")
    with pytest.raises(ValueError, match="prefix must be a valid identifier"):
        differentiate_source(SEED_SOURCE, prefix="d-")


def test_bad_functions():
    with pytest.raises(ValueError, match="is a lambda"):
        differentiate_function(lambda x: x * 2)
    with pytest.raises(TypeError, match="f must be a Python function"):
        differentiate_function(np.sin)
    namespace = {}
    exec(textwrap.dedent(SEED_SOURCE), namespace)  # no source file behind it
    with pytest.raises(ValueError, match="source of f is not available"):
        differentiate_function(namespace["f"])
