"""Hamiltonian dynamics by leapfrog steps: why NUTS needs gradients.

To sample from a density ``p(q)``, Hamiltonian Monte Carlo treats
``U(q) = -log p(q)`` as a potential energy, draws a momentum ``p``, and moves
along the dynamics of ``H(q, p) = U(q) + |p|^2 / 2``. The leapfrog integrator
takes one gradient of ``log p`` per step; its energy error stays small for
small steps, which is what makes the proposals acceptable.

See the chapter :ref:`ad-systems`.
"""

import numpy as np

from mixgrad._validation import check_finite_array, check_integer, check_positive

__all__ = ["hamiltonian", "leapfrog", "energy_error"]


def hamiltonian(logp, position, momentum):
    """Total energy ``H(q, p) = -log p(q) + |p|^2 / 2``.

    Parameters
    ----------
    logp : callable
        ``logp(q) -> float`` for ``q`` of shape (n_dim,).
    position : array-like of shape (n_dim,)
    momentum : array-like of shape (n_dim,)

    Returns
    -------
    float
    """
    position = check_finite_array(position, "position", ndim=1)
    momentum = check_finite_array(momentum, "momentum", ndim=1)
    return float(-logp(position) + 0.5 * momentum @ momentum)


def leapfrog(grad_logp, position, momentum, step_size, n_steps):
    """Integrate Hamilton's equations with ``n_steps`` leapfrog steps.

    One step: half a kick ``p += eps/2 grad log p(q)``, a drift ``q += eps p``,
    another half kick. Consecutive half kicks are merged, so the trajectory
    costs ``n_steps + 1`` gradient evaluations.

    Parameters
    ----------
    grad_logp : callable
        ``grad_logp(q)`` returns the gradient of ``log p`` at ``q``, an array
        of shape (n_dim,).
    position : array-like of shape (n_dim,)
        Start ``q_0``.
    momentum : array-like of shape (n_dim,)
        Start ``p_0``.
    step_size : float
        ``eps > 0``.
    n_steps : int
        Number of steps, >= 1.

    Returns
    -------
    positions : ndarray of shape (n_steps + 1, n_dim)
    momenta : ndarray of shape (n_steps + 1, n_dim)
        The states after each full step (row 0 is the start).
    """
    q = check_finite_array(position, "position", ndim=1).copy()
    p = check_finite_array(momentum, "momentum", ndim=1).copy()
    if q.shape != p.shape:
        raise ValueError(
            f"position and momentum must have the same shape, got {q.shape} and {p.shape}"
        )
    check_positive(step_size, "step_size")
    check_integer(n_steps, "n_steps", minimum=1)
    positions, momenta = [q.copy()], [p.copy()]
    g = _gradient(grad_logp, q)
    for _ in range(n_steps):
        p = p + 0.5 * step_size * g
        q = q + step_size * p
        g = _gradient(grad_logp, q)
        p = p + 0.5 * step_size * g
        positions.append(q.copy())
        momenta.append(p.copy())
    return np.array(positions), np.array(momenta)


def _gradient(grad_logp, q):
    g = np.asarray(grad_logp(q), dtype=np.float64)
    if g.shape != q.shape:
        raise ValueError(f"grad_logp must return an array of shape {q.shape}, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError(f"grad_logp returned a non-finite gradient at {q}; reduce step_size")
    return g


def energy_error(logp, positions, momenta):
    """``H(q_t, p_t) - H(q_0, p_0)`` along a trajectory.

    Parameters
    ----------
    logp : callable
        ``logp(q) -> float``.
    positions, momenta : array-like of shape (n_points, n_dim)
        A trajectory, e.g. from :func:`leapfrog`.

    Returns
    -------
    ndarray of shape (n_points,)
        Zero at the start; exact dynamics would keep it zero.
    """
    positions = check_finite_array(positions, "positions", ndim=2)
    momenta = check_finite_array(momenta, "momenta", ndim=2)
    if positions.shape != momenta.shape:
        raise ValueError(
            f"positions and momenta must have the same shape, "
            f"got {positions.shape} and {momenta.shape}"
        )
    energies = np.array([hamiltonian(logp, q, p) for q, p in zip(positions, momenta, strict=True)])
    return energies - energies[0]
