"""mixgrad.ad.hamiltonian: leapfrog against closed forms and invariants."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.ad import grad
from mixgrad.ad.hamiltonian import energy_error, hamiltonian, leapfrog


def logp_gauss(q):
    return -0.5 * np.sum(q * q)


def test_one_step_matches_hand_computation():
    # For U(q) = q^2/2: p_half = p - eps/2 q, q1 = q + eps p_half, p1 = p_half - eps/2 q1.
    q0, p0, eps = np.array([1.0]), np.array([0.5]), 0.1
    qs, ps = leapfrog(grad(logp_gauss), q0, p0, eps, 1)
    p_half = p0 - eps / 2 * q0
    q1 = q0 + eps * p_half
    assert np.allclose(qs[1], q1, rtol=0, atol=1e-15)
    assert np.allclose(ps[1], p_half - eps / 2 * q1, rtol=0, atol=1e-15)
    assert qs.shape == ps.shape == (2, 1)


def test_harmonic_oscillator_follows_the_circle():
    # Exact solution q(t) = cos t for q0 = 1, p0 = 0; leapfrog error is O(eps^2).
    errs = []
    for eps in (0.1, 0.05):
        n = int(round(1.0 / eps))
        qs, _ = leapfrog(grad(logp_gauss), np.array([1.0]), np.array([0.0]), eps, n)
        errs.append(abs(qs[-1, 0] - np.cos(1.0)))
    assert errs[1] < errs[0] / 3.5  # second order: halving eps divides the error by ~4


@given(st.floats(0.01, 0.5), st.floats(-2, 2), st.floats(-2, 2))
def test_reversible_and_energy_bounded(eps, q, p):
    qs, ps = leapfrog(grad(logp_gauss), np.array([q]), np.array([p]), eps, 10)
    back_q, back_p = leapfrog(grad(logp_gauss), qs[-1], -ps[-1], eps, 10)
    assert np.allclose(back_q[-1], q, atol=1e-12) and np.allclose(back_p[-1], -p, atol=1e-12)
    errors = energy_error(logp_gauss, qs, ps)
    assert errors[0] == 0.0
    assert np.max(np.abs(errors)) <= eps**2 * (q * q + p * p) + 1e-12


def test_hamiltonian_value():
    value = hamiltonian(logp_gauss, np.array([1.0, 2.0]), np.array([3.0, 0.0]))
    assert value == pytest.approx(2.5 + 4.5)  # U = (1 + 4) / 2, kinetic = 9 / 2


def test_bad_input():
    g = grad(logp_gauss)
    with pytest.raises(ValueError, match="step_size must be finite and > 0"):
        leapfrog(g, np.zeros(2), np.zeros(2), 0.0, 3)
    with pytest.raises(ValueError, match="n_steps must be >= 1"):
        leapfrog(g, np.zeros(2), np.zeros(2), 0.1, 0)
    with pytest.raises(ValueError, match="same shape"):
        leapfrog(g, np.zeros(2), np.zeros(3), 0.1, 2)
    with pytest.raises(ValueError, match="grad_logp must return an array of shape"):
        leapfrog(lambda q: np.zeros(5), np.zeros(2), np.zeros(2), 0.1, 2)
    with pytest.raises(ValueError, match="non-finite gradient"):
        leapfrog(lambda q: np.full(2, np.nan), np.zeros(2), np.zeros(2), 0.1, 2)
    with pytest.raises(ValueError, match="positions and momenta must have the same shape"):
        energy_error(logp_gauss, np.zeros((3, 2)), np.zeros((2, 2)))
