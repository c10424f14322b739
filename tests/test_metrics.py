"""BIC/AIC by formula and against scikit-learn's GaussianMixture."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.mixture import n_parameters
from mixgrad.mixture.metrics import aic, bic
from sklearn.mixture import GaussianMixture


@given(ll=st.floats(-1e6, 1e6), p=st.integers(0, 500), n=st.integers(1, 10**6))
def test_bic_aic_formulas(ll, p, n):
    assert bic(ll, p, n) == pytest.approx(-2 * ll + p * np.log(n))
    assert aic(ll, p) == pytest.approx(-2 * ll + 2 * p)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_criteria_match_sklearn_gaussian_mixture(rng, covariance_type):
    X = np.concatenate([rng.normal(0, 1, (60, 3)), rng.normal(5, 1, (60, 3))])
    gm = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    n_params = n_parameters(2, 3, covariance_type)
    assert n_params == gm._n_parameters()
    ll = gm.score(X) * X.shape[0]
    assert bic(ll, n_params, X.shape[0]) == pytest.approx(gm.bic(X), rel=1e-12)
    assert aic(ll, n_params) == pytest.approx(gm.aic(X), rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: bic(np.nan, 3, 10), ValueError, "log_likelihood must be finite"),
        (lambda: bic("1", 3, 10), TypeError, "log_likelihood must be a real"),
        (lambda: bic(1.0, -1, 10), ValueError, "n_params must be >= 0"),
        (lambda: bic(1.0, 3, 0), ValueError, "n_samples must be >= 1"),
        (lambda: aic(1.0, 2.5), TypeError, "n_params must be an integer"),
        (lambda: n_parameters(2, 3, "round"), ValueError, "covariance_type"),
    ],
)
def test_criteria_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_criteria_return_python_floats():
    """Regression: bic returned np.float64 (printed as 'np.float64(...)' in chapters)."""
    from mixgrad.mixture.metrics import aic, bic

    assert type(bic(-10.0, 3, 50)) is float
    assert type(aic(-10.0, 3)) is float
