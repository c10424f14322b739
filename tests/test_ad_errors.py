"""Bad input gives a clear error that names the problem, never a silent NaN."""

import math

import numpy as np
import pytest
from mixgrad import ad
from mixgrad.ad import JVP_RULES, VJP_RULES, DomainError, Dual, Primitive


# --- non-numeric arguments -> TypeError naming the type ----------------------------
@pytest.mark.parametrize(
    ("value", "match"),
    [("a", "got str"), (None, "got NoneType"), (1 + 2j, "complex"), (True, "got bool"),
     (np.array(["a"]), "dtype <U1")],
)  # fmt: skip
def test_dual_rejects_non_numeric_values(value, match):
    with pytest.raises(TypeError, match=match):
        Dual(value)


def test_dual_rejects_non_finite_and_misshapen_tangents():
    with pytest.raises(ValueError, match="finite"):
        Dual(math.nan)
    with pytest.raises(ValueError, match="NaN or inf"):
        Dual(np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match=r"tangent of shape \(2, 2\) does not fit .* \(3,\)"):
        Dual(np.ones(3), np.ones((2, 2)))


@pytest.mark.parametrize(("other", "name"), [("a", "str"), (None, "NoneType"), ({}, "dict")])
def test_arithmetic_with_non_numbers_names_the_type(other, name):
    with pytest.raises(TypeError, match=f"argument of type {name}"):
        Dual(1.0, 1.0) + other
    with pytest.raises(TypeError, match=f"argument of type {name}"):
        ad.grad(lambda x: x * other)(1.0)


def test_object_and_complex_constants_are_rejected():
    with pytest.raises(TypeError, match="object array"):
        Dual(np.ones(2), 1.0) * np.array([1, "a"], dtype=object)
    with pytest.raises(TypeError, match="complex"):
        Dual(np.ones(2), 1.0) * np.array([1j, 2.0])


def test_math_module_cannot_drop_the_tangent():
    with pytest.raises(TypeError, match=r"use numpy functions \(np.sin, not math.sin\)"):
        math.sin(Dual(1.0, 1.0))
    with pytest.raises(TypeError, match="would drop its derivative"):
        ad.grad(lambda x: float(x))(1.0)


def test_traced_values_are_immutable():
    with pytest.raises(TypeError, match="immutable.*np.where"):
        Dual(np.ones(3))[0] = 2.0


def test_index_with_traced_value():
    with pytest.raises(TypeError, match="index traced values with integers"):
        Dual(np.ones(3))[Dual(1.0)]


# --- domain errors -> DomainError (a ValueError), in both modes ------------------------
DOMAIN_CASES = [
    (lambda x: np.log(x), -1.0, r"numpy.log: input must be > 0, got -1.0"),
    (lambda x: np.log(x), 0.0, r"numpy.log: input must be > 0, got 0.0"),
    (lambda x: np.log2(x), -2.0, r"numpy.log2: input must be > 0"),
    (lambda x: np.log1p(x), -1.0, r"numpy.log1p: input must be > -1"),
    (lambda x: np.sqrt(x), -4.0, r"square root of a negative number"),
    (lambda x: np.sqrt(x), 0.0, r"derivative of sqrt at 0 is infinite"),
    (lambda x: x / 0.0, 1.0, r"division by zero"),
    (lambda x: 1.0 / x, 0.0, r"division by zero"),
    (lambda x: np.reciprocal(x), 0.0, r"division by zero"),
    (lambda x: np.arcsin(x), 1.5, r"numpy.arcsin: input must lie in \[-1, 1\], got 1.5"),
    (lambda x: np.arcsin(x), 1.0, r"derivative is infinite at -1 and 1"),
    (lambda x: np.arccos(x), -2.0, r"numpy.arccos: input must lie in \[-1, 1\]"),
    (lambda x: np.arctanh(x), 1.0, r"numpy.arctanh"),
    (lambda x: x**0.5, -2.0, r"negative base needs an integer exponent"),
    (lambda x: x**0.5, 0.0, r"derivative of x \*\* p at x = 0 is infinite"),
    (lambda x: (-2.0) ** x, 1.0, r"differentiated exponent needs x > 0"),
]


@pytest.mark.parametrize(("f", "x", "match"), DOMAIN_CASES)
def test_domain_errors_forward_scalar(f, x, match):
    with pytest.raises(DomainError, match=match):
        f(Dual(x, 1.0))


@pytest.mark.parametrize(("f", "x", "match"), DOMAIN_CASES)
def test_domain_errors_forward_array(f, x, match):
    with pytest.raises(ValueError, match=match):
        f(Dual(np.array([0.5, x]), 1.0))


@pytest.mark.parametrize(("f", "x", "match"), DOMAIN_CASES)
def test_domain_errors_reverse(f, x, match):
    with pytest.raises(ValueError, match=match):
        ad.grad(lambda v: np.sum(f(v)))(np.array([0.5, x]))


def test_plain_numpy_keeps_numpy_semantics():
    # untraced values are not checked: the library does not change numpy
    with np.errstate(divide="ignore"):
        assert np.log(0.0) == -np.inf


# --- transforms --------------------------------------------------------------------
def test_grad_of_non_scalar_output_says_what_to_use():
    with pytest.raises(ValueError, match=r"scalar, got shape \(3,\); use jacobian or vjp"):
        ad.grad(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(ValueError, match=r"gradient_fwd needs f to return a scalar"):
        ad.gradient_fwd(np.sin)(np.ones(2))


@pytest.mark.parametrize("transform", [ad.grad, ad.gradient_fwd, ad.jacobian_rev, ad.hessian])
def test_integer_arrays_are_rejected(transform):
    with pytest.raises(TypeError, match="integer dtype int64.*pass floats"):
        transform(lambda x: np.sum(x * 1.0))(np.arange(3))


@pytest.mark.parametrize(
    ("x", "match"), [("abc", "got str"), (True, "got bool"), (None, "got NoneType"),
                     (np.array([1j]), "complex128")]
)  # fmt: skip
def test_non_float_points_are_rejected(x, match):
    with pytest.raises(TypeError, match=match):
        ad.grad(lambda v: np.sum(v))(x)
    with pytest.raises(TypeError, match=match):
        ad.jvp(lambda v: v, x, 1.0)


def test_non_finite_points_are_rejected():
    with pytest.raises(ValueError, match="NaN or inf"):
        ad.grad(lambda v: np.sum(v))(np.array([1.0, np.nan]))


def test_function_returning_non_numbers():
    with pytest.raises(TypeError, match="must return a number or an array of numbers, got str"):
        ad.grad(lambda x: "s")(1.0)
    with pytest.raises(TypeError, match="got dict"):
        ad.jacobian_fwd(lambda x: {"y": x})(np.ones(2))


def test_shape_errors_of_transforms():
    with pytest.raises(ValueError, match=r"derivative needs a scalar x, got shape \(2,\)"):
        ad.derivative(np.sin)(np.ones(2))
    with pytest.raises(ValueError, match=r"v must have the shape of x \(2,\), got \(3,\)"):
        ad.jvp(np.sin, np.ones(2), np.ones(3))
    _, pullback = ad.vjp(np.sin, np.ones(3))
    with pytest.raises(ValueError, match=r"y_bar must have the shape of f\(x\) \(3,\)"):
        pullback(np.ones(2))
    with pytest.raises(TypeError, match="y_bar must be a float array, got str"):
        pullback("abc")


def test_argnums_and_mode_checks():
    with pytest.raises(ValueError, match="argnums 3 is out of range"):
        ad.grad(lambda x: x, argnums=3)(1.0)
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        ad.grad(lambda x: x, argnums=1.5)(1.0)
    with pytest.raises(ValueError, match="mode must be 'auto', 'fwd' or 'rev'"):
        ad.jacobian(np.sin, mode="sideways")


def test_mixed_numbers_of_directions():
    with pytest.raises(ValueError, match=r"different numbers of directions \(2, 3\)"):
        Dual(1.0, [1.0, 0.0]) * Dual(2.0, [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="1 \\(plain tangent\\), 2"):
        Dual(np.ones(2), np.eye(2)) + Dual(np.ones(2), 1.0)


# --- primitives without a rule -> NotImplementedError naming them ------------------------
@pytest.mark.parametrize(
    ("f", "name"),
    [(lambda x: np.linalg.inv(x), "numpy.linalg.inv"),
     (lambda x: np.cumsum(x), "numpy.cumsum"),
     (lambda x: np.mod(x, 2.0), "numpy.remainder"),
     (lambda x: np.add.reduce(x), "numpy.add.reduce"),
     (lambda x: np.sort(x), "numpy.sort")],
)  # fmt: skip
def test_missing_rules_name_the_primitive(f, name):
    x = np.eye(2) + 1.0
    with pytest.raises(
        NotImplementedError, match=rf"no forward-mode \(jvp\) rule for {name} with respect "
        r"to argument 0; register one with mixgrad.ad.defjvp\("
    ):
        f(Dual(x, 1.0))
    with pytest.raises(
        NotImplementedError, match=rf"no reverse-mode \(vjp\) rule for {name} with respect "
        r"to argument 0; register one with mixgrad.ad.defvjp\("
    ):
        ad.grad(lambda v: np.sum(f(v)))(x)


def test_adding_a_primitive_is_one_entry_per_table():
    cube = Primitive("cube", lambda x: x**3)
    with pytest.raises(NotImplementedError, match="no forward-mode .* rule for cube"):
        cube(Dual(2.0, 1.0))
    JVP_RULES[cube] = lambda primals, tangents: (
        cube(primals[0]),
        3 * primals[0] ** 2 * tangents[0],
    )
    VJP_RULES[cube] = lambda g, ans, args, needs: [g * 3 * args[0] ** 2]
    try:
        assert cube(Dual(2.0, 1.0)).tangent == 12.0
        assert ad.grad(cube)(2.0) == 12.0
        assert ad.hessian(cube)(2.0) == pytest.approx(12.0)  # rules written with numpy nest
    finally:
        del JVP_RULES[cube], VJP_RULES[cube]


def test_einsum_ellipsis_in_reverse_mode():
    x = np.ones((2, 3))
    assert ad.jacobian_fwd(lambda x: np.einsum("...j->...", x))(x).shape == (2, 2, 3)
    with pytest.raises(NotImplementedError, match="does not support '...'.*write the indices"):
        ad.grad(lambda x: np.sum(np.einsum("...j->...", x)))(x)


def test_unsupported_keyword_arguments():
    with pytest.raises(TypeError, match=r"numpy.sin: keyword arguments \['out'\]"):
        np.sin(Dual(np.ones(2), 1.0), out=np.ones(2))
    with pytest.raises(TypeError, match="numpy.sum: out= is not supported"):
        np.sum(Dual(np.ones(2), 1.0), out=np.ones(()))


# --- ops and the mixture log-likelihood ------------------------------------------------
def test_ops_input_checks():
    with pytest.raises(TypeError, match="a must be a numeric array, got str"):
        ad.logsumexp("abc")
    with pytest.raises(ValueError, match=r"b must have shape \(2,\) or \(\.\.\., 2, n\)"):
        ad.solve_triangular(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match=r"L must have shape \(\.\.\., d, d\)"):
        ad.solve_triangular(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="is one vector but L .* is a batch"):
        ad.solve_triangular(np.ones((4, 2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="zero on its diagonal"):
        ad.solve_triangular(np.zeros((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="positive diagonal"):
        ad.log_det_cholesky(-np.eye(2))
    with pytest.raises(ValueError, match="positive diagonal"):
        ad.grad(lambda L: ad.log_det_cholesky(L))(np.diag([1.0, -1.0]))


def test_gmm_loglik_input_checks():
    X, means, log_w = np.ones((5, 2)), np.zeros((2, 2)), np.zeros(2)
    chol = np.stack([np.eye(2)] * 2)
    with pytest.raises(ValueError, match=r"means must have shape .* = \(2, 2\), got \(2, 3\)"):
        ad.gmm_loglik(X, np.zeros((2, 3)), log_w, chol)
    with pytest.raises(ValueError, match=r"log_weights must have shape \(2,\)"):
        ad.gmm_loglik(X, means, np.zeros(3), chol)
    with pytest.raises(ValueError, match=r"chol must have shape \(2, 2, 2\)"):
        ad.gmm_loglik(X, means, log_w, np.ones((2, 3, 3)))
    with pytest.raises(ValueError, match=r"chol must have 3 dimension\(s\), got shape \(2, 2\)"):
        ad.gmm_loglik(X, means, log_w, np.eye(2))
    with pytest.raises(ValueError, match="X contains NaN"):
        ad.gmm_loglik(np.full((5, 2), np.nan), means, log_w, chol)
    with pytest.raises(TypeError, match="X must be a numeric array, got str"):
        ad.gmm_loglik("X", means, log_w, chol)
    with pytest.raises(ValueError, match="positive diagonal"):
        ad.gmm_loglik(X, means, log_w, -chol)
    with pytest.raises(ValueError, match="at least one sample"):
        ad.gmm_loglik(np.ones((0, 2)), means, log_w, chol)
