"""Population hard EM (two components, 1-D): against quadrature, a large sample and hard_em."""

import numpy as np
import pytest
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture.hard_population import hard_em_population, hard_em_population_step
from mixgrad.mixture.limits import hard_em
from scipy import integrate, optimize, stats


def _quad_step(b, weights, means, sigmas):
    """Independent reference: moments of the mixture on each side of b by quadrature."""
    def pdf(x):
        groups = zip(weights, means, sigmas, strict=True)
        return sum(w * stats.norm.pdf(x, m, s) for w, m, s in groups)

    lo_edge, hi_edge = min(means) - 15 * max(sigmas), max(means) + 15 * max(sigmas)
    sides = []
    for a, c in ((lo_edge, b), (b, hi_edge)):
        mom = [integrate.quad(lambda x, p=p: x**p * pdf(x), a, c, limit=200, epsabs=1e-13)[0]
               for p in range(3)]
        sides.append((mom[0], mom[1] / mom[0], np.sqrt(mom[2] / mom[0] - (mom[1] / mom[0]) ** 2)))
    w, mu, sd = (np.array(v) for v in zip(*sides, strict=True))
    def f(x):
        lower = np.log(w[0] * stats.norm.pdf(x, mu[0], sd[0]))
        return lower - np.log(w[1] * stats.norm.pdf(x, mu[1], sd[1]))

    return w, mu, sd, optimize.brentq(f, mu[0], mu[1], xtol=1e-13)


@pytest.mark.parametrize(
    ("b", "weights", "means", "sigmas"),
    [(170.0, [0.5, 0.5], [163.0, 177.0], [7.0, 7.0]),
     (168.3, [0.5, 0.5], [163.0, 177.0], [7.0, 7.5]),
     (0.4, [0.2, 0.5, 0.3], [-2.0, 0.5, 3.0], [1.0, 0.7, 1.5])],
)
def test_step_matches_quadrature(b, weights, means, sigmas):
    fitted, new_b = hard_em_population_step(b, weights, means, sigmas)
    w, mu, sd, ref_b = _quad_step(b, weights, means, sigmas)
    np.testing.assert_allclose(fitted["weights"], w, rtol=1e-9)
    np.testing.assert_allclose(fitted["means"], mu, rtol=1e-9)
    np.testing.assert_allclose(fitted["sigmas"], sd, rtol=1e-7)
    assert new_b == pytest.approx(ref_b, abs=1e-7)


def test_step_matches_a_large_sample():
    rng = np.random.default_rng(3)
    n = 400_000
    z = rng.integers(2, size=n)
    x = np.array([163.0, 177.0])[z] + rng.normal(scale=np.array([7.0, 7.5])[z])
    b = 171.0
    fitted, _ = hard_em_population_step(b, [0.5, 0.5], [163.0, 177.0], [7.0, 7.5])
    for k, side in enumerate((x <= b, x > b)):
        assert fitted["weights"][k] == pytest.approx(side.mean(), abs=4 * 0.5 / np.sqrt(n))
        se = 7.5 / np.sqrt(side.sum())
        assert fitted["means"][k] == pytest.approx(x[side].mean(), abs=4 * se)
        assert fitted["sigmas"][k] == pytest.approx(x[side].std(), abs=4 * se)


def test_symmetric_fixed_point_and_slope():
    res = hard_em_population([0.5, 0.5], [163.0, 177.0], [7.0, 7.0], boundary_init=170.0)
    assert res.converged and res.n_iter == 1 and res.boundary == pytest.approx(170.0, abs=1e-9)
    np.testing.assert_allclose(res.means, [161.8336, 178.1664], atol=1e-4)
    np.testing.assert_allclose(res.sigmas, [5.5955, 5.5955], atol=1e-4)
    # Slope from the quadrature map, independently.
    h = 1e-4
    ref = (_quad_step(170.0 + h, [0.5, 0.5], [163.0, 177.0], [7.0, 7.0])[3]
           - _quad_step(170.0 - h, [0.5, 0.5], [163.0, 177.0], [7.0, 7.0])[3]) / (2 * h)
    assert 0 < res.slope < 1 and res.slope == pytest.approx(ref, abs=1e-4)


def test_fixed_point_is_a_fixed_point_of_sample_hard_em():
    # Hard EM on a large sample started at the population fixed point stays close to it.
    res = hard_em_population([0.5, 0.5], [160.0, 180.0], [7.0, 7.0], boundary_init=171.0)
    rng = np.random.default_rng(5)
    n = 200_000
    z = rng.integers(2, size=n)
    x = (np.array([160.0, 180.0])[z] + rng.normal(scale=7.0, size=n))[:, None]
    with pytest.warns(ConvergenceWarning):
        run = hard_em(x, res.weights, res.means[:, None], (res.sigmas**2)[:, None, None],
                      max_iter=1)
    np.testing.assert_allclose(np.sqrt(run.covariances.ravel()), res.sigmas, atol=0.05)
    np.testing.assert_allclose(run.means.ravel(), res.means, atol=0.1)


def test_unequal_widths_drift_to_collapse():
    # sigma 7 and 7.5: the narrower component wins the overlap and swallows the other.
    with pytest.raises(ValueError, match="collapses"):
        hard_em_population([0.5, 0.5], [163.0, 177.0], [7.0, 7.5], boundary_init=170.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [(dict(weights=[0.5, 0.6], means=[0.0, 1.0], sigmas=[1.0, 1.0]), "weights"),
     (dict(weights=[0.5, 0.5], means=[0.0, 1.0], sigmas=[1.0, 0.0]), "sigmas"),
     (dict(weights=[0.5, 0.5], means=[0.0, 1.0, 2.0], sigmas=[1.0, 1.0]), "same shape")],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hard_em_population_step(0.5, **kwargs)


def test_bad_boundary_and_tol():
    with pytest.raises(ValueError, match="boundary"):
        hard_em_population_step(np.nan, [0.5, 0.5], [0.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="tol"):
        hard_em_population([0.5, 0.5], [0.0, 3.0], [1.0, 1.0], boundary_init=1.5, tol=0.0)


def test_symmetric_point_attracts_only_nearby():
    # Repelling fixed points ~1.3 cm from 170 (slope > 1): inside, back to 170; outside, collapse.
    from scipy.optimize import brentq
    def drift(b):
        return hard_em_population_step(b, [0.5, 0.5], [163.0, 177.0], [7.0, 7.0])[1] - b
    def ref_drift(b):
        return _quad_step(b, [0.5, 0.5], [163.0, 177.0], [7.0, 7.0])[3] - b
    repel = brentq(drift, 167.5, 169.5, xtol=1e-10)
    assert abs(ref_drift(repel)) < 1e-6 and ref_drift(repel - 0.1) < 0 < ref_drift(repel + 0.1)
    assert 1.2 < 170.0 - repel < 1.4
    res = hard_em_population([0.5, 0.5], [163.0, 177.0], [7.0, 7.0], boundary_init=repel + 0.2,
                             max_iter=50_000)
    assert res.converged and res.boundary == pytest.approx(170.0, abs=1e-5)
    with pytest.raises(ValueError, match="collapses"):
        hard_em_population([0.5, 0.5], [163.0, 177.0], [7.0, 7.0], boundary_init=repel - 0.2)
