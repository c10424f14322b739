"""Divided differences, their error model and the optimal step (finite_diff, step_error)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.ad import (
    backward_difference,
    best_step,
    central_difference,
    complex_step,
    default_step,
    difference_error_model,
    divided_difference,
    fd_gradient,
    fd_jacobian,
    forward_difference,
    optimal_step,
    step_sweep,
)
from mixgrad.ad.finite_diff import EPS
from scipy.optimize import minimize_scalar

# Functions with closed-form derivatives (first, second, third), a "table of
# functions with known derivatives".
FUNCTIONS = {
    "cube": (lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, lambda x: 6.0 + 0 * x),
    "sin": (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "exp": (np.exp, np.exp, np.exp, np.exp),
    "log": (np.log, lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3),
}
POINTS = np.array([0.3, 0.9, 1.7, 2.5])


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize(
    "kind, h, order",
    [("forward", 1e-6, 1), ("backward", 1e-6, 1), ("central", 1e-4, 2), ("complex", 1e-20, 2)],
)
def test_differences_match_closed_forms_within_the_error_model(name, kind, h, order):
    f, df, d2f, d3f = FUNCTIONS[name]
    approx = divided_difference(f, POINTS, h, kind)
    # Bound: the truncation term of the error model (with a factor 2 for the
    # variation of f'' / f''' over [x - h, x + h]) plus generous round-off.
    fmax = np.abs(f(POINTS)) + np.abs(f(POINTS + h)) + 1
    if kind == "complex":
        bound = np.abs(d3f(POINTS)) * h**2 + 4 * EPS * np.abs(df(POINTS))
    else:
        trunc = np.abs(d2f(POINTS)) * h if order == 1 else np.abs(d3f(POINTS)) * h**2
        bound = 2 * trunc + 8 * EPS * fmax / h
    assert np.all(np.abs(approx - df(POINTS)) <= bound)


def test_vectorised_over_steps_and_points():
    hs = np.logspace(-8, -2, 7)
    assert forward_difference(np.sin, 1.0, hs).shape == (7,)
    assert central_difference(np.sin, POINTS, 1e-5).shape == (4,)
    # One h per point: elementwise pairing.
    paired = backward_difference(np.sin, POINTS, np.full(4, 1e-6))
    np.testing.assert_allclose(paired, np.cos(POINTS), atol=1e-6)
    # Every entry equals the scalar call (vectorisation changes nothing).
    loop = [float(forward_difference(np.sin, 1.0, h)) for h in hs]
    np.testing.assert_array_equal(forward_difference(np.sin, 1.0, hs), loop)


def test_observed_truncation_orders():
    # In the truncation regime the error falls like h (forward) and h**2 (central):
    # fit the slope of log(error) against log(h).
    hs = np.logspace(-4, -2, 9)
    slopes = {}
    for kind in ("forward", "central"):
        err = step_sweep(np.exp, np.exp, 0.5, hs, kind)
        slopes[kind] = np.polyfit(np.log(hs), np.log(err), 1)[0]
    assert slopes["forward"] == pytest.approx(1.0, abs=0.05)
    assert slopes["central"] == pytest.approx(2.0, abs=0.05)


@given(st.floats(-3.0, 3.0))
def test_complex_step_is_exact_to_machine_precision(x):
    f = lambda t: np.exp(np.sin(t)) * t**2  # noqa: E731
    exact = np.exp(np.sin(x)) * (np.cos(x) * x**2 + 2 * x)
    assert float(complex_step(f, x)) == pytest.approx(exact, rel=1e-14, abs=1e-14)


# --- error model and optimal step -------------------------------------------------


@pytest.mark.parametrize("kind, power", [("forward", 1), ("backward", 1), ("central", 2)])
def test_error_model_closed_form(kind, power):
    h = np.array([1e-9, 1e-6, 1e-3])
    model = difference_error_model(h, kind=kind, fx=-2.0, f2=-6.0, f3=12.0, eps=1e-16)
    if power == 1:
        expected = 6.0 * h / 2 + 2 * 1e-16 * 2.0 / h
    else:
        expected = 12.0 * h**2 / 6 + 1e-16 * 2.0 / h
    np.testing.assert_allclose(model, expected, rtol=1e-14)


@pytest.mark.parametrize("kind", ["forward", "central"])
def test_optimal_step_minimises_the_model(kind):
    params = dict(fx=1.3, f2=4.0, f3=9.0)
    h_star = optimal_step(kind, **params)
    # Independent minimisation of the model over log h with scipy.
    res = minimize_scalar(
        lambda t: float(difference_error_model(np.exp(t), kind=kind, **params)[()]),
        bounds=(np.log(1e-12), np.log(1e-1)), method="bounded", options={"xatol": 1e-10},
    )
    assert h_star == pytest.approx(np.exp(res.x), rel=1e-4)


def test_optimal_step_scaling_laws():
    # sqrt(eps) law for forward differences, eps**(1/3) for central ones.
    r_fwd = optimal_step("forward", fx=1, f2=1, eps=64e-16) / optimal_step(
        "forward", fx=1, f2=1, eps=1e-16)
    r_cen = optimal_step("central", fx=1, f3=1, eps=64e-16) / optimal_step(
        "central", fx=1, f3=1, eps=1e-16)
    assert r_fwd == pytest.approx(8.0)
    assert r_cen == pytest.approx(4.0)
    # Closed forms for f(x) = x**3 at x = 1 (f = 1, f'' = f''' = 6).
    assert optimal_step("forward", fx=1, f2=6) == pytest.approx(2 * math.sqrt(EPS / 6))
    assert optimal_step("central", fx=1, f3=6) == pytest.approx((3 * EPS / 6) ** (1 / 3))


@pytest.mark.parametrize("kind, f2, f3", [("forward", 6.0, None), ("central", None, 6.0)])
def test_measured_optimal_step_of_the_seed_example_matches_theory(kind, f2, f3):
    # The seed's f(x) = x**3 at x = 1: the bottom of the measured V lies within
    # a decade of the model's optimum; near it the typical (geometric mean) error
    # is within a decade of the model's minimum; and the model bounds the errors.
    hs = np.logspace(-14, -1, 261)
    errors = step_sweep(lambda x: x**3, lambda x: 3 * x**2, 1.0, hs, kind)
    h_star = optimal_step(kind, fx=1.0, f2=f2, f3=f3)
    assert h_star / 10 <= best_step(hs, errors) <= h_star * 10
    model = difference_error_model(hs, kind=kind, fx=1.0, f2=f2, f3=f3)
    near = (hs > h_star / 10) & (hs < h_star * 10) & (errors > 0)
    typical = np.exp(np.mean(np.log(errors[near])))
    assert model.min() / 10 <= typical <= model.min() * 10
    assert np.all(errors <= 1.1 * model)


def test_default_step_scales_with_x():
    expected = np.array([1, 1e4]) * np.sqrt(EPS)
    np.testing.assert_allclose(default_step([0.5, 1e4], "forward"), expected)
    np.testing.assert_allclose(default_step(2.0, "central"), 2 * EPS ** (1 / 3))


# --- gradients and Jacobians ----------------------------------------------------------


def _f(x):
    return x[0] * x[1] + np.sin(x[0]) + x[2] ** 2 * np.exp(x[1] / 3)


def _grad_f(x):
    return np.array([
        x[1] + np.cos(x[0]),
        x[0] + x[2] ** 2 * np.exp(x[1] / 3) / 3,
        2 * x[2] * np.exp(x[1] / 3),
    ])


@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_fd_gradient_matches_closed_form(point):
    x = np.array(point)
    np.testing.assert_allclose(fd_gradient(_f, x), _grad_f(x), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(fd_gradient(_f, x, kind="complex"), _grad_f(x), rtol=1e-13,
                               atol=1e-13)
    np.testing.assert_allclose(fd_gradient(_f, x, kind="forward"), _grad_f(x), atol=1e-6)


def test_fd_jacobian_shape_and_values(rng):
    A = rng.standard_normal((4, 3))

    def F(x):
        return np.tanh(A @ x)

    x = rng.standard_normal(3)
    exact = (1 - np.tanh(A @ x) ** 2)[:, None] * A
    for kind, tol in (("central", 1e-8), ("forward", 1e-6), ("backward", 1e-6),
                      ("complex", 1e-14)):
        J = fd_jacobian(F, x, kind=kind)
        assert J.shape == (4, 3)
        np.testing.assert_allclose(J, exact, atol=tol)
    # Matrix input: J has shape y.shape + x.shape.
    X = rng.standard_normal((2, 3))
    J = fd_jacobian(lambda X: np.sum(X**2, axis=0), X)
    assert J.shape == (3, 2, 3)
    np.testing.assert_allclose(J[1, :, 1], 2 * X[:, 1], atol=1e-8)
    np.testing.assert_allclose(J[1, :, 0], 0, atol=1e-8)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("h, err, match", [
    (0.0, ValueError, "h must be > 0"),
    (-1e-3, ValueError, "h must be > 0"),
    (np.nan, ValueError, "h contains NaN"),
    (np.inf, ValueError, "h contains infinite"),
    ("0.1", TypeError, "h must be a numeric array"),
    (True, TypeError, "h must be a positive real"),
])
def test_bad_steps(h, err, match):
    with pytest.raises(err, match=match):
        forward_difference(np.sin, 1.0, h)


def test_bad_arguments():
    with pytest.raises(TypeError, match="f must be a callable"):
        central_difference("sin", 1.0, 1e-3)
    with pytest.raises(TypeError, match="x must be a numeric array"):
        central_difference(np.sin, "1.0", 1e-3)
    with pytest.raises(ValueError, match="kind must be one of"):
        divided_difference(np.sin, 1.0, 1e-3, kind="sideways")
    with pytest.raises(ValueError, match="do not broadcast"):
        forward_difference(np.sin, np.ones(3), np.full(2, 1e-3))
    with pytest.raises(ValueError, match="non-finite value"):
        forward_difference(np.log, -1.0, 1e-3)
    with pytest.raises(ValueError, match="elementwise"):
        forward_difference(np.sum, np.ones(3), 1e-3)
    with pytest.raises(TypeError, match="accept complex"):
        complex_step(math.sin, 1.0)


def test_bad_model_parameters():
    with pytest.raises(TypeError, match="f2 .*second derivative"):
        optimal_step("forward", fx=1.0)
    with pytest.raises(TypeError, match="f3 .*third derivative"):
        difference_error_model(1e-3, kind="central", fx=1.0, f2=1.0)
    with pytest.raises(ValueError, match="optimal step is undefined"):
        optimal_step("forward", fx=1.0, f2=0.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        optimal_step("complex", fx=1.0, f3=1.0)
    with pytest.raises(ValueError, match="eps must be finite and > 0"):
        optimal_step("central", fx=1.0, f3=1.0, eps=0.0)
    with pytest.raises(TypeError, match="fx must be a real number"):
        optimal_step("central", fx="1", f3=1.0)


def test_bad_sweep_and_gradient_arguments():
    hs = np.logspace(-8, -1, 8)
    with pytest.raises(TypeError, match="df must be a callable or a real number"):
        step_sweep(np.sin, "cos", 1.0, hs)
    with pytest.raises(TypeError, match="x must be a real number"):
        step_sweep(np.sin, np.cos, [1.0], hs)
    with pytest.raises(ValueError, match="hs must have 1 dimension"):
        step_sweep(np.sin, np.cos, 1.0, hs.reshape(2, 4))
    with pytest.raises(ValueError, match="equal length"):
        best_step(hs, hs[:-1])
    with pytest.raises(ValueError, match="use fd_jacobian"):
        fd_gradient(lambda x: x * 2, np.ones(3))
    with pytest.raises(TypeError, match="F must be a callable"):
        fd_jacobian(None, np.ones(3))
