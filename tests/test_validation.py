"""Shared input checks: each names the parameter and says what to change."""

import numpy as np
import pytest
from mixgrad._validation import check_finite_array, check_integer, check_positive, check_rng
from mixgrad.timing import best_time, timing_line


def test_check_finite_array_accepts_and_converts():
    out = check_finite_array([[1, 2], [3, 4]], "X", ndim=2)
    assert out.dtype == np.float64 and out.shape == (2, 2)


@pytest.mark.parametrize(
    ("value", "kwargs", "exc", "match"),
    [
        ("abc", {}, TypeError, "X must be a numeric array, got str"),
        (None, {}, TypeError, "X must be a numeric array, got NoneType"),
        ([1.0, 2.0], {"ndim": 2}, ValueError, r"X must have 2 dimension\(s\), got shape \(2,\)"),
        ([1.0, np.inf], {}, ValueError, "X contains infinite values"),
        ([1.0, np.nan], {}, ValueError, "X contains NaN"),
        ([[1.0], ["a"]], {}, TypeError, "X must be a numeric array"),
    ],
)
def test_check_finite_array_errors(value, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        check_finite_array(value, "X", **kwargs)


def test_check_finite_array_allows_nan_when_asked():
    out = check_finite_array([1.0, np.nan], "X", allow_nan=True)
    assert np.isnan(out[1])
    with pytest.raises(ValueError, match="infinite"):
        check_finite_array([np.inf, np.nan], "X", allow_nan=True)


def test_check_positive():
    assert check_positive(2, "tol") == 2.0
    assert check_positive(0, "tol", strict=False) == 0.0
    with pytest.raises(ValueError, match=r"tol must be finite and > 0, got 0"):
        check_positive(0, "tol")
    with pytest.raises(ValueError, match=r"reg_covar must be finite and >= 0, got -1"):
        check_positive(-1, "reg_covar", strict=False)
    with pytest.raises(TypeError, match="tol must be a real number, got str"):
        check_positive("1", "tol")
    with pytest.raises(TypeError, match="got bool"):
        check_positive(True, "tol")


def test_check_integer():
    assert check_integer(np.int64(3), "k", minimum=1) == 3
    with pytest.raises(ValueError, match="max_iter must be >= 1, got 0"):
        check_integer(0, "max_iter", minimum=1)
    with pytest.raises(TypeError, match="k must be an integer, got float"):
        check_integer(2.0, "k")


def test_check_rng_is_explicit():
    g = np.random.default_rng(1)
    assert check_rng(g) is g
    a, b = check_rng(7).random(3), np.random.default_rng(7).random(3)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="pass np.random.default_rng"):
        check_rng(None)


def test_timing_helpers():
    calls = []
    t = best_time(lambda: calls.append(1), repeat=3, number=2)
    assert len(calls) == 6 and t >= 0
    assert timing_line("f", 2.5) == "[timing] f: 2.50 s"
    assert timing_line("f", 2.5e-3) == "[timing] f: 2.50 ms"
    assert timing_line("f", 2.5e-6) == "[timing] f: 2.50 µs"
    with pytest.raises(ValueError, match="repeat and number must be >= 1"):
        best_time(lambda: None, repeat=0)
