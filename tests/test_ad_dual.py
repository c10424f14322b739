"""Dual numbers: construction, arithmetic, the elementary-function table.

References are closed-form derivatives and the complex-step derivative
``imag(f(x + i h)) / h`` (exact to rounding for analytic f), evaluated on the
plain numpy function.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.ad import Dual

H = 1e-30


def complex_step(f, x):
    """Derivative of a scalar analytic f at the real x (independent reference)."""
    return np.imag(f(np.asarray(x, dtype=complex) + 1j * H)) / H


# (ufunc, closed-form derivative, sample points inside the domain)
ELEMENTARY = [
    (np.sin, np.cos, [-1.3, 0.2, 2.5]),
    (np.cos, lambda x: -np.sin(x), [-1.3, 0.2, 2.5]),
    (np.tan, lambda x: 1 / np.cos(x) ** 2, [-1.0, 0.2, 1.2]),
    (np.exp, np.exp, [-2.0, 0.0, 1.5]),
    (np.log, lambda x: 1 / x, [0.1, 1.0, 7.0]),
    (np.log1p, lambda x: 1 / (1 + x), [-0.5, 0.0, 3.0]),
    (np.expm1, np.exp, [-2.0, 1e-8, 1.5]),
    (np.sqrt, lambda x: 0.5 / np.sqrt(x), [0.01, 1.0, 9.0]),
    (np.tanh, lambda x: 1 - np.tanh(x) ** 2, [-2.0, 0.3, 1.0]),
    (np.sinh, np.cosh, [-2.0, 0.3, 1.0]),
    (np.cosh, np.sinh, [-2.0, 0.3, 1.0]),
    (np.arctan, lambda x: 1 / (1 + x**2), [-3.0, 0.0, 0.7]),
    (np.arcsin, lambda x: 1 / np.sqrt(1 - x**2), [-0.9, 0.0, 0.5]),
    (np.arccos, lambda x: -1 / np.sqrt(1 - x**2), [-0.9, 0.0, 0.5]),
    (np.square, lambda x: 2 * x, [-2.0, 0.0, 3.0]),
    (np.reciprocal, lambda x: -1 / x**2, [-2.0, 0.5, 3.0]),
    (np.absolute, np.sign, [-2.0, 0.5, 3.0]),
    (np.negative, lambda x: -np.ones_like(x), [-2.0, 0.5]),
]
IDS = [u.__name__ for u, _, _ in ELEMENTARY]


@pytest.mark.parametrize(("ufunc", "dfdx", "points"), ELEMENTARY, ids=IDS)
def test_elementary_scalar_matches_closed_form(ufunc, dfdx, points):
    for x in points:
        y = ufunc(Dual(x, 1.0))
        assert y.value == pytest.approx(ufunc(x), rel=1e-15)
        assert y.tangent == pytest.approx(dfdx(x), rel=1e-14)


@pytest.mark.parametrize(("ufunc", "dfdx", "points"), ELEMENTARY, ids=IDS)
def test_elementary_array_matches_closed_form_and_complex_step(ufunc, dfdx, points):
    x = np.array(points)
    y = ufunc(Dual(x, 2.0))  # tangent broadcast to the value's shape
    np.testing.assert_allclose(y.value, ufunc(x), rtol=1e-15)
    np.testing.assert_allclose(y.tangent, 2.0 * dfdx(x), rtol=1e-14)
    if ufunc is not np.absolute:  # abs is not analytic: no complex step
        np.testing.assert_allclose(y.tangent, 2.0 * complex_step(ufunc, x), rtol=1e-13)


def test_elementary_methods_and_object_arrays():
    # numpy's object-array loops call the method named like the ufunc
    arr = np.array([Dual(0.3, 1.0), Dual(1.1, 0.0)], dtype=object)
    out = np.sin(arr)
    assert out[0].tangent == pytest.approx(math.cos(0.3))
    assert out[1].tangent == 0.0
    assert Dual(0.5, 1.0).exp().tangent == pytest.approx(math.exp(0.5))


def test_arithmetic_rules_on_scalars():
    a, b = Dual(1.5, 0.5), Dual(-0.4, 2.0)
    # closed forms of the sum, product and quotient rules
    assert (a + b).tangent == pytest.approx(2.5)
    assert (a - b).tangent == pytest.approx(-1.5)
    assert (a * b).tangent == pytest.approx(0.5 * -0.4 + 1.5 * 2.0)
    assert (a / b).tangent == pytest.approx((0.5 * -0.4 - 1.5 * 2.0) / 0.16)
    assert (-a).tangent == -0.5
    assert abs(b).value == pytest.approx(0.4)
    assert abs(b).tangent == pytest.approx(-2.0)
    # reflected operators with floats and ints
    assert (3 + a).tangent == 0.5 and (3 - a).tangent == -0.5
    assert (2 * a).tangent == 1.0 and (3.0 / a).tangent == pytest.approx(-3.0 * 0.5 / 1.5**2)


def test_powers_real_and_dual_exponents():
    x = Dual(1.7, 1.0)
    assert (x**3).tangent == pytest.approx(3 * 1.7**2)
    assert (x**2.5).tangent == pytest.approx(2.5 * 1.7**1.5)
    assert (x**-2).tangent == pytest.approx(-2 * 1.7**-3)
    assert (x**0).tangent == 0.0 and (x**0).value == 1.0
    assert (Dual(-2.0, 1.0) ** 3).tangent == pytest.approx(12.0)  # integer power of a negative
    assert (Dual(0.0, 1.0) ** 2).tangent == 0.0
    # d/dp a**p = a**p log a, and the general rule with both traced
    p = Dual(0.8, 1.0)
    assert (2.0**p).tangent == pytest.approx(2.0**0.8 * math.log(2.0))
    both = Dual(1.7, 1.0) ** Dual(0.8, 1.0)
    assert both.tangent == pytest.approx(0.8 * 1.7**-0.2 + 1.7**0.8 * math.log(1.7))


def test_polynomial_gives_value_and_derivative():
    # P(x + x' d) = P(x) + P'(x) x' d, with P evaluated by Horner's scheme
    coefficients = [2.0, -1.0, 0.5, 3.0]  # highest degree first

    def horner(x):
        y = 0.0
        for c in coefficients:
            y = y * x + c
        return y

    y = horner(Dual(1.3, 1.0))
    assert y.value == pytest.approx(np.polyval(coefficients, 1.3))
    assert y.tangent == pytest.approx(np.polyval(np.polyder(coefficients), 1.3))


def test_several_dual_components_give_the_gradient():
    # the seed's example f(x1, x2) = x1 x2 + sin(x1): gradient (x2 + cos x1, x1)
    x1, x2 = Dual(1.5, [1.0, 0.0]), Dual(0.5, [0.0, 1.0])
    y = x1 * x2 + np.sin(x1)
    np.testing.assert_allclose(y.tangent, [0.5 + math.cos(1.5), 1.5], rtol=1e-15)
    x = Dual(np.array([1.5, 0.5]), np.eye(2))
    y = x[0] * x[1] + np.sin(x[0])
    np.testing.assert_allclose(y.tangent, [0.5 + math.cos(1.5), 1.5], rtol=1e-15)


def test_multi_component_tangent_layout_is_jacobian(rng):
    A = rng.normal(size=(4, 3))
    x = Dual(rng.normal(size=3), np.eye(3))
    y = np.tanh(A @ x)
    assert y.tangent.shape == (4, 3)
    # closed form: diag(1 - tanh^2) A
    np.testing.assert_allclose(y.tangent, (1 - y.value**2)[:, None] * A, rtol=1e-14)


def test_tangent_shapes_and_broadcasting():
    d = Dual(np.zeros((2, 3)), np.array([1.0, 2.0, 3.0]))
    assert d.tangent.shape == (2, 3)
    d = Dual(np.zeros((2, 3)), np.ones((2, 3, 5)))
    assert d.tangent.shape == (2, 3, 5)
    assert Dual(4).value == 4.0 and type(Dual(4).value) is float
    assert Dual([1, 2]).value.dtype == np.float64


def test_comparisons_look_at_values():
    a, b = Dual(1.0, 5.0), Dual(2.0, -5.0)
    assert a < b and a <= b and b > a and b >= a and a != b
    assert a == Dual(1.0, 3.0)  # tangents are ignored
    assert bool(Dual(0.0, 1.0)) is False
    np.testing.assert_array_equal(Dual(np.array([1.0, 3.0])) > 2.0, [False, True])
    with pytest.raises(TypeError, match="unhashable"):
        hash(a)


def test_mixing_with_numpy_scalars_and_arrays():
    x = Dual(2.0, 1.0)
    assert (np.float64(3.0) * x).tangent == 3.0
    y = np.array([1.0, 2.0]) * x
    np.testing.assert_array_equal(y.tangent, [1.0, 2.0])
    z = x * np.array([1.0, 2.0]) + np.array([[1.0], [1.0]])
    assert z.value.shape == (2, 2)
    np.testing.assert_array_equal(z.tangent, [[1.0, 2.0], [1.0, 2.0]])


def test_array_methods_and_iteration():
    d = Dual(np.arange(6.0).reshape(2, 3), 1.0)
    assert d.shape == (2, 3) and d.ndim == 2 and d.size == 6 and len(d) == 2
    assert d.T.shape == (3, 2) and d.reshape(3, 2).shape == (3, 2)
    assert d.sum().tangent == 6.0 and d.mean(axis=0).tangent.tolist() == [1.0, 1.0, 1.0]
    rows = list(d)
    assert len(rows) == 2 and rows[1].value.tolist() == [3.0, 4.0, 5.0]
    first, second = Dual(np.array([1.0, 2.0]), np.eye(2))
    np.testing.assert_array_equal(second.tangent, [0.0, 1.0])


def test_nested_duals_give_second_derivatives():
    # hyper-dual: x + e1 + e2 with e1 e2 kept gives f''(x) in the e1 e2 part
    x = Dual(Dual(0.7, 1.0), Dual(1.0, 0.0))
    y = np.sin(x) * x
    second = y.tangent.tangent
    assert second == pytest.approx(2 * math.cos(0.7) - 0.7 * math.sin(0.7), rel=1e-14)


def test_repr_shows_both_parts():
    assert repr(Dual(1.5, 2.0)) == "Dual(value=1.5, tangent=2.0)"


finite = st.floats(-3.0, 3.0, allow_nan=False)
nonzero = st.floats(0.2, 3.0) | st.floats(-3.0, -0.2)


@given(a=finite, da=finite, b=finite, db=finite)
def test_product_rule(a, da, b, db):
    y = Dual(a, da) * Dual(b, db)
    assert y.value == a * b
    assert y.tangent == pytest.approx(da * b + a * db, abs=1e-12)


@given(a=finite, da=finite, b=nonzero, db=finite)
def test_quotient_rule(a, da, b, db):
    y = Dual(a, da) / Dual(b, db)
    assert y.tangent == pytest.approx((da * b - a * db) / b**2, rel=1e-12, abs=1e-12)


@given(x=finite, dx=finite)
def test_chain_rule(x, dx):
    y = np.sin(np.exp(Dual(x, dx)))
    assert y.tangent == pytest.approx(math.cos(math.exp(x)) * math.exp(x) * dx, abs=1e-11)
    # the same rule on the array path (no float fast path)
    z = np.sin(np.exp(Dual(np.array([x]), dx)))
    assert z.tangent[0] == pytest.approx(y.tangent, abs=1e-12)
