"""Public extension points defjvp / defvjp, and the one derivative table.

A primitive registered through the helpers works in forward, reverse and
nested (Hessian-vector) mode; a missing rule names the primitive, the
argument and the helper; the Wengert printer and the source transformer read
their partials from the table both modes use.
"""

import mixgrad.ad as ad
import numpy as np
import pytest
from mixgrad.ad._elementwise import PARTIALS
from mixgrad.ad.jvp_rules import _from_partials


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus():
    sp = ad.Primitive("softplus", lambda x: np.logaddexp(0.0, x))
    ad.defjvp(sp, lambda t, ans, x: t * _sigmoid(x))
    ad.defvjp(sp, lambda g, ans, x: g * _sigmoid(x))
    return sp


X = np.array([-1.5, 0.3, 2.0])
V = np.array([1.0, -2.0, 0.5])


def test_registered_primitive_in_every_mode():
    sp = _softplus()

    def f(x):
        return np.sum(sp(x) * x)

    exact_grad = np.logaddexp(0.0, X) + X * _sigmoid(X)
    np.testing.assert_allclose(ad.grad(f)(X), exact_grad, rtol=1e-14)
    np.testing.assert_allclose(ad.jvp(f, X, V)[1], exact_grad @ V, rtol=1e-14)
    s = _sigmoid(X)
    hess_diag = 2 * s + X * s * (1 - s)
    np.testing.assert_allclose(ad.jvp(ad.grad(f), X, V)[1], hess_diag * V, rtol=1e-13)
    np.testing.assert_allclose(ad.hessian(f)(X), np.diag(hess_diag), rtol=1e-13, atol=1e-15)
    ad.check_grads(f, X, order=2)


def test_missing_rules_name_primitive_argument_and_helper():
    sp = ad.Primitive("softplus_no_rules", lambda x: np.logaddexp(0.0, x))
    with pytest.raises(NotImplementedError, match=r"reverse-mode \(vjp\) rule for "
                       r"softplus_no_rules with respect to argument 0; register one with "
                       r"mixgrad\.ad\.defvjp\(softplus_no_rules"):
        ad.grad(lambda x: np.sum(sp(x)))(X)
    with pytest.raises(NotImplementedError, match=r"forward-mode \(jvp\) rule for "
                       r"softplus_no_rules with respect to argument 0; register one with "
                       r"mixgrad\.ad\.defjvp\("):
        ad.jvp(lambda x: np.sum(sp(x)), X, V)


def test_none_rule_names_the_argument():
    scale = ad.Primitive("scale_by", lambda x, c: x * c)
    ad.defjvp(scale, lambda t, ans, x, c: t * c, None)
    ad.defvjp(scale, lambda g, ans, x, c: g * c, None)
    assert ad.derivative(lambda x: scale(x, 3.0))(2.0) == 3.0
    with pytest.raises(NotImplementedError, match=r"scale_by with respect to argument 1"):
        ad.derivative(lambda c: scale(2.0, c))(3.0)
    with pytest.raises(NotImplementedError, match=r"scale_by with respect to argument 1.*defvjp"):
        ad.grad(lambda c: scale(2.0, c))(3.0)


def test_bad_registrations_are_refused():
    with pytest.raises(TypeError, match=r"primitive must be a numpy ufunc"):
        ad.defjvp(3.0, lambda t, ans, x: t)
    with pytest.raises(TypeError, match=r"rule 0 of defvjp.*must be callable or None"):
        ad.defvjp(ad.Primitive("p", np.sin), "cos")
    with pytest.raises(ValueError, match=r"takes 2 arguments, so defjvp needs 2 rules"):
        ad.defjvp(np.hypot, lambda t, ans, x, y: t * x / ans)
    with pytest.raises(TypeError, match=r"needs one rule per argument, got none"):
        ad.defvjp(ad.Primitive("p", np.sin))


@pytest.fixture
def cumsum_rules():
    from mixgrad.ad._trace import REGISTERED
    yield
    ad.JVP_RULES.pop(np.cumsum, None)
    ad.VJP_RULES.pop(np.cumsum, None)
    REGISTERED.discard(np.cumsum)  # other tests expect cumsum to have no rule


def test_numpy_function_given_rules_is_traced(cumsum_rules):
    ad.defjvp(np.cumsum, lambda t, ans, x, axis=None: np.cumsum(t, axis=-1))
    ad.defvjp(np.cumsum, lambda g, ans, x, axis=None: np.flip(np.cumsum(np.flip(g))))
    x = np.array([1.0, 2.0, 3.0])
    J = np.tril(np.ones((3, 3)))
    np.testing.assert_allclose(ad.jacobian_fwd(np.cumsum)(x), J)
    np.testing.assert_allclose(ad.jacobian_rev(np.cumsum)(x), J)


@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.multiply, np.divide])
def test_forward_fast_paths_agree_with_the_table(ufunc):
    x, y = np.array([0.5, 2.0, -1.5]), np.array([1.5, -0.7, 3.0])
    tx, ty = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 0.25])
    fast = ad.JVP_RULES[ufunc]((x, y), (tx, ty))
    table = _from_partials(ufunc, PARTIALS[ufunc])((x, y), (tx, ty))
    np.testing.assert_allclose(fast[1], table[1], rtol=1e-15)


@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.divide, np.log, np.square, np.sqrt])
def test_reverse_fast_paths_agree_with_the_table(ufunc):
    args = (np.array([0.5, 2.0, 1.5]),) if ufunc.nin == 1 else (
        np.array([0.5, 2.0, 1.5]), np.array([1.5, 0.7, 3.0]))
    ans = ufunc(*args)
    g = np.array([1.0, -2.0, 0.5])
    fast = ad.VJP_RULES[ufunc](g, ans, args, (True,) * ufunc.nin)
    for i, d in enumerate(PARTIALS[ufunc]):
        np.testing.assert_allclose(fast[i], g * d(ans, *args), rtol=1e-15)


def test_printers_read_the_table():
    # the Wengert list and the source transformer write what PARTIALS holds
    from mixgrad.ad.wengert import sin, tanh
    wl = ad.trace(lambda x1, x2: tanh(x1 * x2) + sin(x1), x1=0.5, x2=2.0)
    text = wl.adjoint()
    assert "cos(w1)" in text and "1 - w4²" in text
    src = ad.differentiate_source("def f(x):\n    return np.tanh(x) + np.sin(x)\n")
    assert "(1 - np.tanh(x) ** 2) * dx" in src and "np.cos(x) * dx" in src
