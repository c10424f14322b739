"""population_accuracy against closed forms and Monte Carlo."""

import numpy as np
import pytest
from mixgrad.mixture.population import population_accuracy
from scipy import optimize, stats

W, MU, SD = np.array([0.5, 0.5]), np.array([163.0, 177.0]), np.array([7.0, 7.5])


def _bayes(points):
    joint = W * stats.norm.pdf(np.asarray(points)[:, None], MU, SD)
    return joint.argmax(axis=1)


def test_a_threshold_classifier_matches_the_normal_cdf_formula():
    t = 168.0
    acc, bounds = population_accuracy(lambda p: (p > t).astype(int), W, MU, SD,
                                      lower=100, upper=240)
    exact = W[0] * stats.norm.cdf(t, MU[0], SD[0]) + W[1] * stats.norm.sf(t, MU[1], SD[1])
    assert bounds == pytest.approx([t], abs=1e-8)
    assert acc == pytest.approx(exact, abs=1e-10)


def test_the_bayes_classifier_has_two_boundaries_and_beats_every_threshold():
    acc, bounds = population_accuracy(_bayes, W, MU, SD, lower=-100, upper=400)

    def log_ratio(v):
        return np.diff(np.log(W) + stats.norm.logpdf(v, MU, SD))[0]

    roots = sorted(optimize.brentq(log_ratio, a, b) for a, b in [(-100, 100), (150, 190)])
    assert bounds == pytest.approx(roots, abs=1e-7)
    thresholds = np.linspace(160, 180, 41)
    others = [population_accuracy(lambda p, t=t: (p > t).astype(int), W, MU, SD,
                                  lower=100, upper=240)[0] for t in thresholds]
    assert max(others) < acc + 1e-12 and max(others) > acc - 1e-3


def test_accuracy_agrees_with_monte_carlo():
    rng = np.random.default_rng(3)
    z = rng.choice(2, size=400_000, p=W)
    x = rng.normal(MU[z], SD[z])
    clf = lambda p: ((p > 166) & (p < 190)).astype(int)  # noqa: E731
    acc, bounds = population_accuracy(clf, W, MU, SD, lower=100, upper=240)
    assert bounds == pytest.approx([166, 190], abs=1e-8)
    assert acc == pytest.approx(np.mean(clf(x) == z), abs=4 * 0.5 / np.sqrt(z.size))


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="lower must be below upper"):
        population_accuracy(_bayes, W, MU, SD, lower=1, upper=0)
    with pytest.raises(ValueError, match="one shape"):
        population_accuracy(_bayes, W, MU[:1], SD, lower=0, upper=1)
    with pytest.raises(TypeError, match="integer classes"):
        population_accuracy(lambda p: p > 170, W, MU, SD, lower=100, upper=240)
    with pytest.raises(ValueError, match="outside 0..1"):
        population_accuracy(lambda p: np.full(p.shape, 2), W, MU, SD, lower=100, upper=240)
