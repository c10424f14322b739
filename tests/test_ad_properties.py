"""Property tests on randomly generated programs.

Hypothesis composes random primitives into expression trees over a vector
``x``; the same tree is evaluated on floats, complex numbers, Duals and
traced values. Forward mode, reverse mode and the complex-step derivative
must agree to ~1e-12, and ``u^T (J v) = (u^T J) v`` must hold.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mixgrad.ad import (
    grad,
    gradient_fwd,
    hessian,
    jacobian_fwd,
    jacobian_rev,
    jvp,
    value_and_grad,
    vjp,
)

N = 3
H = 1e-30
M = np.array([[0.5, -1.0, 0.3], [0.2, 0.4, -0.7], [1.1, 0.0, 0.6]])
MASK = np.array([True, False, True])
PERM = np.array([2, 0, 0])

# Analytic (complex-step safe) primitives with values kept bounded.
UNARY = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "exp_tanh": lambda a: np.exp(np.tanh(a)),
    "log_1_plus_sq": lambda a: np.log(1.0 + a * a),
    "sqrt_2_plus_sin": lambda a: np.sqrt(2.0 + np.sin(a)),
    "a_sin_a": lambda a: a * np.sin(a),
    "neg": lambda a: -a,
    "reverse": lambda a: a[::-1] if np.ndim(a) else a,
    "permute": lambda a: a[PERM] if np.ndim(a) else a,
    "center": lambda a: a - np.mean(a),
    "matvec": lambda a: M @ (a * np.ones(N)),
    "sum_keep": lambda a: np.sum(a, axis=-1, keepdims=True) if np.ndim(a) else a,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (2.0 + np.cos(b)),
    "pow": lambda a, b: (1.5 + np.sin(a)) ** np.cos(b),
    "where": lambda a, b: np.where(MASK, a, b),
    "stack_sum": lambda a, b: np.sum(np.stack([a * np.ones(N), b * np.ones(N)]), axis=0),
    "concat_half": lambda a, b: np.concatenate([a * np.ones(N), b * np.ones(N)])[1 : N + 1],
}

leaves = st.one_of(
    st.just(("x",)),
    st.tuples(st.just("xi"), st.integers(0, N - 1)),
    st.tuples(st.just("const"), st.floats(-2.0, 2.0)),
)
programs = st.recursive(
    leaves,
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    ),
    max_leaves=8,
)
points = st.lists(st.floats(-2.0, 2.0), min_size=N, max_size=N).map(np.array)


def evaluate(program, x):
    """Run a program on x (floats, complex, Dual or traced values alike)."""
    op = program[0]
    if op == "x":
        return x
    if op == "xi":
        return x[program[1]]
    if op == "const":
        return program[1]
    if op in UNARY:
        return UNARY[op](evaluate(program[1], x))
    return BINARY[op](evaluate(program[1], x), evaluate(program[2], x))


def vector_program(program):
    """The program as a map R^N -> R^N."""
    return lambda x: evaluate(program, x) * np.ones(N)


def complex_step_jacobian(f, x):
    columns = []
    for j in range(N):
        xc = x.astype(complex)
        xc[j] += 1j * H
        columns.append(np.imag(f(xc)) / H)
    return np.stack(columns, axis=-1)


@given(program=programs, x=points)
def test_forward_equals_reverse_equals_complex_step(program, x):
    f = vector_program(program)
    reference = complex_step_jacobian(f, x)
    scale = max(1.0, np.max(np.abs(reference)))
    np.testing.assert_allclose(jacobian_fwd(f)(x), reference, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(jacobian_rev(f)(x), reference, rtol=0, atol=1e-12 * scale)


@given(program=programs, x=points)
def test_values_are_unchanged_by_tracing(program, x):
    f = lambda x: np.sum(vector_program(program)(x) * np.arange(1.0, N + 1))  # noqa: E731
    value, _ = value_and_grad(f)(x)
    assert value == pytest.approx(f(x), rel=1e-14, abs=1e-14)
    y, _ = jvp(f, x, np.ones(N))
    assert y == pytest.approx(f(x), rel=1e-14, abs=1e-14)


@given(program=programs, x=points, data=st.data())
def test_jvp_vjp_duality(program, x, data):
    # u^T (J v) = (u^T J) v for random u and v
    vectors = st.lists(st.floats(-1.0, 1.0), min_size=N, max_size=N).map(np.array)
    u, v = data.draw(vectors), data.draw(vectors)
    f = vector_program(program)
    _, jv = jvp(f, x, v)
    _, pullback = vjp(f, x)
    uj = pullback(u)
    scale = max(1.0, np.max(np.abs(jv)), np.max(np.abs(uj)))
    assert float(u @ jv) == pytest.approx(float(uj @ v), abs=1e-12 * scale)


@settings(max_examples=25)
@given(program=programs, x=points)
def test_hessians_agree_across_orders(program, x):
    f = lambda x: np.sum(vector_program(program)(x) * np.array([1.0, -0.5, 0.25]))  # noqa: E731
    H_fr = hessian(f)(x)  # forward over reverse
    H_ff = jacobian_fwd(gradient_fwd(f))(x)
    H_rr = jacobian_rev(grad(f))(x)
    scale = max(1.0, np.max(np.abs(H_fr)))
    np.testing.assert_allclose(H_ff, H_fr, rtol=0, atol=1e-11 * scale)
    np.testing.assert_allclose(H_rr, H_fr, rtol=0, atol=1e-11 * scale)
    np.testing.assert_allclose(H_fr, H_fr.T, rtol=0, atol=1e-11 * scale)


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: some axes of one set to 1 or dropped."""
    full = draw(shapes)
    other = tuple(1 if draw(st.booleans()) else n for n in full)
    other = other[draw(st.integers(0, len(other))) :]
    return (full, other) if draw(st.booleans()) else (other, full)


@given(pair=broadcast_pair(), seed=st.integers(0, 2**16))
def test_adjoints_are_reduced_to_operand_shapes(pair, seed):
    rng = np.random.default_rng(seed)
    sx, sy = pair
    x, y = rng.normal(size=sx), rng.normal(size=sy)
    W = rng.normal(size=np.broadcast_shapes(sx, sy))
    gx, gy = grad(lambda a, b: np.sum(W * a * np.exp(b)), argnums=(0, 1))(x, y)
    assert np.shape(gx) == sx and np.shape(gy) == sy
    bx, by = np.broadcast_arrays(x, y)
    # the reduction preserves the total adjoint
    np.testing.assert_allclose(np.sum(gx), np.sum(W * np.exp(by)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.sum(gy), np.sum(W * bx * np.exp(by)), rtol=1e-12, atol=1e-12)
    # and matches forward mode (which never reduces) entry by entry
    np.testing.assert_allclose(
        gx, gradient_fwd(lambda a: np.sum(W * a * np.exp(y)))(x), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        gy, gradient_fwd(lambda b: np.sum(W * x * np.exp(b)))(y), rtol=1e-12, atol=1e-12
    )
