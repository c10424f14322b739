"""check_grads: passes on correct derivatives, fails on broken rules (mixgrad.ad.check)."""

import numpy as np
import pytest
from mixgrad.ad import JVP_RULES, VJP_RULES, check_grads

FUNCTIONS = [
    (lambda x: np.sum(np.sin(x) * x**2), np.array([0.5, 1.5, -0.3])),
    (lambda x: np.tanh(x) * np.exp(x), 0.7),
    (lambda x: np.array([x[0] * x[1], np.sin(x[0]), np.log(x[1])]), np.array([0.5, 1.5])),
    (lambda X: X @ X.T - np.exp(X[:, :1]), np.array([[0.2, -0.4], [1.1, 0.3]])),
    (lambda x: x[0] * x[1] + np.sin(x[0]), np.array([0.5, 2.0])),  # the seed's example
]


@pytest.mark.parametrize("f, x", FUNCTIONS)
def test_passes_on_correct_functions(f, x):
    assert check_grads(f, x) is None
    assert check_grads(f, x, modes=("rev",), order=1, rng=np.random.default_rng(3)) is None


def test_third_order_and_scalar_point():
    assert check_grads(lambda x: np.exp(np.sin(x)), 0.3, order=3) is None


def _broken_sin_jvp(monkeypatch):
    rule = JVP_RULES[np.sin]

    def broken(primals, tangents, **static):
        out, tangent = rule(primals, tangents, **static)
        return out, 2.0 * tangent  # deliberately wrong: d sin = 2 cos

    monkeypatch.setitem(JVP_RULES, np.sin, broken)


def _broken_sin_vjp(monkeypatch):
    rule = VJP_RULES[np.sin]

    def broken(g, ans, args, needs, **static):
        return [None if a is None else -a for a in rule(g, ans, args, needs, **static)]

    monkeypatch.setitem(VJP_RULES, np.sin, broken)


def test_fails_on_a_broken_forward_rule(monkeypatch):
    _broken_sin_jvp(monkeypatch)
    f, x = FUNCTIONS[0]
    with pytest.raises(AssertionError, match=r"forward mode \(jvp\) disagrees .* order 1"):
        check_grads(f, x, modes=("fwd",))
    # Reverse mode does not use the jvp rules: it still passes.
    check_grads(f, x, modes=("rev",), order=1)


def test_fails_on_a_broken_reverse_rule(monkeypatch):
    _broken_sin_vjp(monkeypatch)
    f, x = FUNCTIONS[4]
    with pytest.raises(AssertionError, match=r"reverse mode \(vjp\) disagrees"):
        check_grads(f, x)
    check_grads(f, x, modes=("fwd",), order=2)


def test_fails_on_a_wrong_second_derivative(monkeypatch):
    # First derivatives right, second wrong: only order=2 can see it. The broken
    # jvp rule of cos makes d/dx sin'(x) wrong (sin' = cos, differentiated by jvp).
    rule = JVP_RULES[np.cos]
    monkeypatch.setitem(
        JVP_RULES, np.cos, lambda p, t, **k: (rule(p, t, **k)[0], 3.0 * rule(p, t, **k)[1])
    )
    f, x = (lambda x: np.sum(np.sin(x))), np.array([0.4, 1.0])
    check_grads(f, x, modes=("fwd",), order=1)
    with pytest.raises(AssertionError, match="order 2"):
        check_grads(f, x, modes=("fwd",), order=2)


def test_message_shows_both_numbers(monkeypatch):
    _broken_sin_jvp(monkeypatch)
    with pytest.raises(AssertionError) as info:
        check_grads(np.sin, np.array([0.0, 0.3]), modes=("fwd",), order=1, rng=0)
    message = str(info.value)
    assert "AD:" in message and "FD:" in message and "atol + rtol" in message


def test_directions_come_from_the_explicit_rng():
    # The same seed gives the same directions: a failing check fails identically.
    def g(x):
        return np.sum(x**3)

    calls = []

    def recording(x):
        calls.append(np.array(x, dtype=float, copy=True) if not hasattr(x, "value") else None)
        return g(x)

    check_grads(recording, np.ones(3), modes=("fwd",), order=1, rng=7)
    first = [c for c in calls if c is not None]
    calls.clear()
    check_grads(recording, np.ones(3), modes=("fwd",), order=1, rng=np.random.default_rng(7))
    second = [c for c in calls if c is not None]
    assert len(first) == len(second) > 0
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(modes=("fwd", "sideways")), ValueError, "modes must be a non-empty subset"),
    (dict(modes=()), ValueError, "modes must be a non-empty subset"),
    (dict(modes=3), TypeError, "modes must be a sequence"),
    (dict(order=0), ValueError, "order must be >= 1"),
    (dict(order=1.5), TypeError, "order must be an integer"),
    (dict(eps=0.0), ValueError, "eps must be finite and > 0"),
    (dict(rtol=-1.0), ValueError, "rtol must be finite and >= 0"),
    (dict(atol="1"), TypeError, "atol must be a real number"),
    (dict(rng=None), TypeError, "rng must be a numpy.random.Generator"),
])
def test_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        check_grads(np.sin, 0.5, **kwargs)


def test_bad_function_and_point():
    with pytest.raises(TypeError, match="f must be a callable"):
        check_grads("sin", 0.5)
    with pytest.raises(TypeError, match="x must be a float or an array of floats"):
        check_grads(np.sin, "0.5")
    with pytest.raises(ValueError, match="x contains NaN"):
        check_grads(np.sin, np.nan)
    with pytest.raises(ValueError, match="not finite at x"):
        check_grads(np.log, 1e-9, order=1)


def test_fails_when_a_rule_changes_the_value(monkeypatch):
    rule = JVP_RULES[np.sin]
    monkeypatch.setitem(
        JVP_RULES, np.sin, lambda p, t, **k: (rule(p, t, **k)[0] + 1.0, rule(p, t, **k)[1])
    )
    with pytest.raises(AssertionError, match=r"value returned by jvp at order 1 differs"):
        check_grads(lambda x: np.sum(np.sin(x)), np.array([0.2, 0.4]), modes=("fwd",))
