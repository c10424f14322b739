"""Forward-mode transforms: derivative, jvp, jacobian_fwd, gradient_fwd.

References: closed forms and complex-step derivatives of the plain numpy
functions (``imag(f(x + i h e_j)) / h``, exact to rounding).
"""

import math

import numpy as np
import pytest
from mixgrad.ad import Dual, derivative, gradient_fwd, jacobian_fwd, jvp

H = 1e-30


def complex_step_jacobian(f, x):
    """Columns ``imag(f(x + i h e_j)) / h``: the reference Jacobian, shape y + x."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(f(x))
    jac = np.zeros(y.shape + x.shape)
    for j in np.ndindex(x.shape):
        xc = x.astype(complex)
        xc[j] += 1j * H
        jac[(Ellipsis, *j)] = np.imag(f(xc)) / H
    return jac


SCALAR_CASES = [
    (lambda x: x**3, lambda x: 3 * x**2),
    (lambda x: np.exp(np.sin(x)), lambda x: np.cos(x) * np.exp(np.sin(x))),
    (lambda x: x * np.log(x), lambda x: np.log(x) + 1),
    (lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2),
    (lambda x: np.sqrt(1 + x**2), lambda x: x / np.sqrt(1 + x**2)),
    (lambda x: np.tanh(x) ** 2, lambda x: 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    (lambda x: 2.0**x, lambda x: 2.0**x * math.log(2.0)),
]


@pytest.mark.parametrize(("f", "df"), SCALAR_CASES)
@pytest.mark.parametrize("x", [0.3, 1.7, 4.0])
def test_derivative_closed_forms(f, df, x):
    assert derivative(f)(x) == pytest.approx(df(x), rel=1e-14)


def test_derivative_of_vector_valued_function():
    f = lambda t: np.array([np.cos(t), np.sin(t), t * t], dtype=object)  # noqa: E731
    np.testing.assert_allclose(derivative(f)(0.4), [-math.sin(0.4), math.cos(0.4), 0.8])
    k = np.arange(1.0, 4.0)
    np.testing.assert_allclose(derivative(lambda t: np.sin(t * k))(0.4), k * np.cos(0.4 * k))


def test_derivative_passes_extra_arguments_and_accepts_ints():
    assert derivative(lambda x, a: a * x**2)(3, 2.0) == pytest.approx(12.0)
    assert derivative(lambda x: 5.0)(1.0) == 0.0


def test_second_derivative_by_nesting():
    d2 = derivative(derivative(lambda x: x**4 + np.sin(x)))
    assert d2(0.9) == pytest.approx(12 * 0.81 - math.sin(0.9), rel=1e-14)


def test_nested_derivatives_do_not_confuse_perturbations():
    # d/dx [ d/dy (x * y) at y=2 ] = d/dx x = 1 (perturbation confusion gives 2)
    inner = lambda x: derivative(lambda y: x * y)(2.0)  # noqa: E731
    assert derivative(inner)(1.0) == 1.0


def test_jvp_is_directional_derivative(rng):
    A = rng.normal(size=(3, 4))

    def f(x):
        return np.tanh(A @ x) * np.sum(x * x)

    x, v = rng.normal(size=4), rng.normal(size=4)
    y, y_dot = jvp(f, x, v)
    np.testing.assert_allclose(y, f(x), rtol=1e-15)
    np.testing.assert_allclose(y_dot, complex_step_jacobian(f, x) @ v, rtol=1e-13, atol=1e-15)


def test_jacobian_fwd_shapes_and_values(rng):
    A = rng.normal(size=(2, 3))

    def f(X):  # R^{3x2} -> R^{2x2}
        return np.exp(A @ X) / (1.0 + X[0])

    X = rng.normal(size=(3, 2))
    J = jacobian_fwd(f)(X)
    assert J.shape == (2, 2, 3, 2)
    np.testing.assert_allclose(J, complex_step_jacobian(f, X), rtol=1e-13, atol=1e-15)


def test_jacobian_fwd_scalar_input_and_output():
    assert jacobian_fwd(lambda x: x**2)(3.0) == 6.0
    J = jacobian_fwd(lambda t: np.array([1.0, 2.0]) * t**2)(3.0)
    np.testing.assert_allclose(J, [6.0, 12.0])


def test_jacobian_fwd_is_one_pass():
    calls = []

    def f(x):
        calls.append(1)
        return np.sum(np.sin(x))

    jacobian_fwd(f)(np.ones(50))
    assert len(calls) == 1


def test_jacobian_fwd_of_constant_function_is_zero():
    J = jacobian_fwd(lambda x: np.ones(3))(np.ones(2))
    np.testing.assert_array_equal(J, np.zeros((3, 2)))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_gradient(x):
    """Closed form of the gradient."""
    g = np.zeros_like(x)
    g[:-1] = -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return g


def test_gradient_fwd_rosenbrock(rng):
    x = rng.normal(size=5)
    np.testing.assert_allclose(gradient_fwd(rosenbrock)(x), rosenbrock_gradient(x), rtol=1e-13)


def test_gradient_fwd_with_matrix_input(rng):
    M = rng.normal(size=(3, 3))
    g = gradient_fwd(lambda X: np.sum(X * X) + np.trace(X @ M))(np.eye(3))
    np.testing.assert_allclose(g, 2 * np.eye(3) + M.T, rtol=1e-14)


def test_unchanged_numpy_code_is_differentiated():
    # a function written for arrays, knowing nothing about Duals
    def softplus_norm(x):
        s = np.log1p(np.exp(x))
        return np.sqrt(np.dot(s, s)) + np.max(x) - np.mean(np.where(x > 0, x, 0.5 * x))

    x = np.array([0.3, -1.2, 2.0])
    g = gradient_fwd(softplus_norm)(x)
    s = np.log1p(np.exp(x))
    expected = s / np.linalg.norm(s) / (1 + np.exp(-x))  # d sqrt(s.s) / dx
    expected += np.array([0.0, 0.0, 1.0])  # max is x[2]
    expected -= np.where(x > 0, 1.0, 0.5) / 3
    np.testing.assert_allclose(g, expected, rtol=1e-14)


def test_jvp_accepts_duals_for_nesting():
    # jvp of a jvp: directional second derivative of sin at 0.5 along 1, 1
    inner = lambda x: jvp(np.sin, x, 1.0)[1]  # noqa: E731
    _, second = jvp(inner, 0.5, 1.0)
    assert second == pytest.approx(-math.sin(0.5))
    assert isinstance(jvp(np.sin, Dual(0.5, 1.0), 1.0)[1], Dual)
