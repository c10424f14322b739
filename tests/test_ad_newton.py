"""Newton's method with AD and divided-difference derivatives (mixgrad.ad.newton)."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.ad.newton import NewtonResult, estimate_order, newton, newton_system
from mixgrad.exceptions import ConvergenceWarning
from scipy.optimize import brentq, fsolve

CUBE_ROOT_2 = 2.0 ** (1 / 3)


def cubic(x):
    return x**3 - 2.0


# --- scalar equations --------------------------------------------------------------


@pytest.mark.parametrize("derivative", ["dual", "forward", "backward", "central", "complex"])
def test_scalar_root_matches_closed_form(derivative):
    res = newton(cubic, 1.0, derivative=derivative)
    assert isinstance(res, NewtonResult) and res.converged
    assert res.root == pytest.approx(CUBE_ROOT_2, rel=1e-14)
    assert res.iterates[0] == 1.0 and res.iterates.shape == (res.n_iter + 1,)
    assert res.residuals.shape == (res.n_iter + 1,)
    assert res.method == derivative


def test_fprime_and_dual_give_identical_iterates():
    # Newton with duals computes exactly f'(x) = 3x^2: the same iterates as the
    # hand-written derivative, to the last bit (up to the rounding of 3 * x**2).
    exact = newton(cubic, 1.0, fprime=lambda x: 3 * x**2)
    dual = newton(cubic, 1.0)
    np.testing.assert_allclose(dual.iterates, exact.iterates, rtol=1e-15)
    assert exact.method == "fprime"


@given(st.floats(-3, 3))
def test_scalar_root_matches_brentq(c):
    def f(x):
        return np.tanh(x) + 0.5 * x - c

    res = newton(f, 0.0)
    assert res.converged
    assert res.root == pytest.approx(brentq(f, -20, 20, xtol=1e-14), abs=1e-12)


def test_quadratic_against_linear_convergence():
    # Exact derivative: order 2. A forward difference with a large fixed step
    # converges only linearly (the derivative error does not vanish at the root).
    exact = newton(cubic, 1.0)
    p_exact = estimate_order(exact.errors(CUBE_ROOT_2))
    assert p_exact[-1] == pytest.approx(2.0, abs=0.1)
    rough = newton(cubic, 1.0, derivative="forward", h=0.05, tol=1e-13)
    p_rough = estimate_order(rough.errors(CUBE_ROOT_2), floor=1e-14)
    assert p_rough[-1] == pytest.approx(1.0, abs=0.1)
    assert rough.n_iter > exact.n_iter


def test_evaluation_counts():
    # Every call of f is counted: AD one per iteration; central differences 3.
    dual = newton(cubic, 1.0)
    central = newton(cubic, 1.0, derivative="central")
    assert dual.n_evaluations == dual.n_iter + 1
    assert central.n_evaluations == 3 * central.n_iter + 1


def test_result_text():
    res = newton(cubic, 1.0)
    text = str(res)
    assert text.startswith(f"Newton (dual) converged in {res.n_iter} iterations")
    assert len(res.table().splitlines()) == res.n_iter + 2
    assert f"{CUBE_ROOT_2:.15g}"[:15] in text


def test_non_convergence_warns():
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=3"):
        res = newton(cubic, 1.0, max_iter=3)
    assert not res.converged and res.n_iter == 3
    # x^2 + 1 has no real root: Newton wanders, and says so.
    with pytest.warns(ConvergenceWarning, match="increase max_iter"):
        newton(lambda x: x**2 + 1.0, 0.5, max_iter=20)


# --- systems -------------------------------------------------------------------------


def F(x):
    return np.array([x[0] ** 2 + x[1] ** 2 - 4.0, np.exp(x[0]) + x[1] - 1.0])


def J(x):
    return np.array([[2 * x[0], 2 * x[1]], [np.exp(x[0]), 1.0]])


@pytest.mark.parametrize("jacobian", ["fwd", "rev", "fd", J])
def test_system_root_matches_fsolve(jacobian):
    res = newton_system(F, [1.0, -1.7], jacobian=jacobian)
    assert res.converged and res.iterates.shape == (res.n_iter + 1, 2)
    reference = fsolve(F, [1.0, -1.7], fprime=J, xtol=1e-14)
    np.testing.assert_allclose(res.root, reference, atol=1e-12)
    assert np.linalg.norm(F(res.root)) <= 1e-12


def test_system_ad_jacobians_give_the_same_iterates_as_the_exact_one():
    exact = newton_system(F, [1.0, -1.7], jacobian=J)
    for mode in ("fwd", "rev"):
        np.testing.assert_allclose(newton_system(F, [1.0, -1.7], jacobian=mode).iterates,
                                   exact.iterates, rtol=1e-14)


def test_system_quadratic_convergence(rng):
    # A random well-conditioned nonlinear system with known root x*.
    A = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    x_star = rng.standard_normal(4)

    def G(x):
        return A @ (x - x_star) + 0.5 * np.sin(x - x_star) ** 2

    res = newton_system(G, x_star + 0.3, tol=1e-14)
    p = estimate_order(res.errors(x_star), floor=1e-15)
    assert p[-1] == pytest.approx(2.0, abs=0.3)
    np.testing.assert_allclose(res.root, x_star, atol=1e-13)


# --- observed order ----------------------------------------------------------------


def test_estimate_order_on_model_sequences():
    # Exact sequences: e_{k+1} = e_k^2 (order 2) and e_{k+1} = e_k / 3 (order 1).
    quadratic = 0.5 ** (2.0 ** np.arange(5))
    np.testing.assert_allclose(estimate_order(quadratic), 2.0, rtol=1e-12)
    np.testing.assert_allclose(estimate_order(3.0 ** -np.arange(6)), 1.0, rtol=1e-12)
    # Cut at the first zero (or at the floor).
    assert estimate_order([1e-1, 1e-2, 1e-4, 0.0, 0.0]).shape == (1,)
    assert estimate_order([1e-1, 1e-2, 1e-4, 1e-8, 1e-17], floor=1e-16).shape == (2,)


# --- bad input ----------------------------------------------------------------------------


def test_zero_derivative_and_singular_jacobian():
    with pytest.raises(ValueError, match=r"f'\(x\) = 0 at iteration 0"):
        newton(lambda x: x**2 - 1.0, 0.0)
    with pytest.raises(ValueError, match="f'\\(x\\) = 0"):
        newton(lambda x: 2.0, 1.0)  # constant f: the dual derivative is 0
    with pytest.raises(ValueError, match="Jacobian is singular at iteration 0"):
        newton_system(lambda x: np.array([x[0] + x[1], 2 * x[0] + 2 * x[1] + 1]), [1.0, 1.0])


def test_non_finite_values():
    with pytest.raises(ValueError, match=r"f\(x\) is not finite at iteration 0"):
        newton(lambda x: np.nan, -1.0, fprime=lambda x: 1.0)
    with pytest.raises(ValueError, match=r"the derivative f'\(x\) is not finite"):
        newton(cubic, 1.0, fprime=lambda x: np.inf)
    with pytest.raises(ValueError, match=r"F\(x\) is not finite at iteration 0"):
        newton_system(lambda x: np.full(2, np.inf), np.zeros(2), jacobian="fd")
    with pytest.raises(ValueError, match="x0 contains NaN"):
        newton(cubic, np.nan)


def test_bad_controls():
    with pytest.raises(ValueError, match="tol must be finite and > 0"):
        newton(cubic, 1.0, tol=0.0)
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        newton(cubic, 1.0, max_iter=0)
    with pytest.raises(TypeError, match="max_iter must be an integer"):
        newton_system(F, [1.0, 1.0], max_iter=2.5)
    with pytest.raises(ValueError, match="xtol must be finite and >= 0"):
        newton(cubic, 1.0, xtol=-1.0)
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        newton(cubic, 1.0, derivative="forward", h=-0.1)


def test_bad_arguments():
    with pytest.raises(TypeError, match="f must be a callable"):
        newton(None, 1.0)
    with pytest.raises(TypeError, match="x0 must be a real number"):
        newton(cubic, "1")
    with pytest.raises(ValueError, match="derivative must be one of"):
        newton(cubic, 1.0, derivative="symbolic")
    with pytest.raises(ValueError, match="either fprime or derivative"):
        newton(cubic, 1.0, fprime=lambda x: 3 * x**2, derivative="central")
    with pytest.raises(TypeError, match="fprime must be a callable"):
        newton(cubic, 1.0, fprime=3.0)
    with pytest.raises(ValueError, match="jacobian must be one of"):
        newton_system(F, [1.0, 1.0], jacobian="symbolic")
    with pytest.raises(ValueError, match="x0 must have 1 dimension"):
        newton_system(F, 1.0)
    with pytest.raises(ValueError, match="F returned shape"):
        newton_system(lambda x: x[:1], [1.0, 2.0])
    with pytest.raises(ValueError, match="errors must be >= 0"):
        estimate_order([1.0, -0.1, 0.01])
    with pytest.raises(ValueError, match="need at least 3 errors"):
        estimate_order([1.0, 0.1, 0.0])
    with pytest.raises(ValueError, match="no progress"):
        estimate_order([1.0, 1.0, 0.5])


def test_converged_runs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        newton(cubic, 1.0)
        newton_system(F, [1.0, -1.7])
