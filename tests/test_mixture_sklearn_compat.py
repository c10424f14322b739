"""scikit-learn's estimator checks on both mixture estimators, with no expected failures.

``GaussianMixture`` is a density estimator (``fit(X, y)`` ignores ``y``);
``GaussianMixtureClassifier`` is a classifier (``y = -1`` unlabelled, as in
:mod:`sklearn.semi_supervised`). Every check of ``check_estimator`` must pass
for a spread of parameters (covariance types, solvers, initialisations).
"""

from mixgrad.mixture import GaussianMixture, GaussianMixtureClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

ESTIMATORS = [
    GaussianMixture(),
    GaussianMixture(n_components=2, covariance_type="tied", solver="direct"),
    GaussianMixture(covariance_type="diag", init_params="random"),
    GaussianMixture(covariance_type="spherical", solver="direct"),
    GaussianMixture(covariance_type="tied", init_params="k-means++"),
    GaussianMixtureClassifier(),
    GaussianMixtureClassifier(covariance_type="tied", solver="direct"),
    GaussianMixtureClassifier(covariance_type="diag"),
    GaussianMixtureClassifier(covariance_type="spherical", solver="direct"),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)
