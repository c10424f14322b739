"""What an EM run leaves behind: the ELBO / KL trace and parameter snapshots.

At iteration ``t`` the E-step sets ``q_t = p(z | x, theta_{t-1})`` and the
M-step maximises the ELBO over ``theta``. The trace records

- ``elbo_e_step[t]  = ELBO(q_t, theta_{t-1})``, equal to the log-likelihood
  ``l(theta_{t-1})`` because the E-step makes the KL term zero;
- ``elbo_m_step[t]  = ELBO(q_t, theta_t)``, at least ``elbo_e_step[t]``;
- ``log_likelihood[t] = l(theta_t)``, at least ``elbo_m_step[t]``;
- ``kl[t] = log_likelihood[t] - elbo_m_step[t] = KL(q_t || p(z | x, theta_t))``,

so ``log-likelihood = ELBO + KL`` holds at every step and the chain
``elbo_e_step[t] <= elbo_m_step[t] <= log_likelihood[t] = elbo_e_step[t+1]``
is EM's monotonicity. All values are means over the samples.

See the chapter :ref:`why-em-works`.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["EMHistory", "iteration_line"]


@dataclass(frozen=True)
class EMHistory:
    """Per-iteration trace of an EM run (arrays of shape (n_iter,)).

    Attributes
    ----------
    log_likelihood : ndarray of shape (n_iter,)
        Mean log-likelihood after each iteration, ``l(theta_t)``.
    elbo_e_step : ndarray of shape (n_iter,)
        ELBO after the E-step of each iteration (``l(theta_{t-1})``; ``-inf``
        for a fully supervised fit, which has no starting parameters).
    elbo_m_step : ndarray of shape (n_iter,)
        ELBO after the M-step of each iteration.
    kl : ndarray of shape (n_iter,)
        ``log_likelihood - elbo_m_step``, the gap the next E-step closes.
    """

    log_likelihood: np.ndarray
    elbo_e_step: np.ndarray
    elbo_m_step: np.ndarray
    kl: np.ndarray

    @property
    def n_iter(self):
        """Number of recorded iterations."""
        return len(self.log_likelihood)

    def as_dict(self):
        """The four arrays in a dict (e.g. for ``pandas.DataFrame``)."""
        return {
            "log_likelihood": self.log_likelihood,
            "elbo_e_step": self.elbo_e_step,
            "elbo_m_step": self.elbo_m_step,
            "kl": self.kl,
        }


class Recorder:
    """Collects one run's objectives, ELBO values and parameter snapshots.

    Parameters
    ----------
    record_history : bool
        Keep the ELBO values of every iteration.
    keep_snapshots : bool
        Keep copies of the parameters after every iteration.
    start : tuple (weights, means, covariances, precisions_cholesky), optional
        Parameters before the first iteration (the first snapshot).
    """

    def __init__(self, record_history, keep_snapshots, start=None):
        self.record_history, self.keep_snapshots = record_history, keep_snapshots
        self.objectives, self.elbo_e, self.elbo_m = [], [], []
        self.snapshots = [] if keep_snapshots else None
        if keep_snapshots and start is not None:
            self.snapshot(start)

    def snapshot(self, params):
        weights, means, covariances, _ = params
        self.snapshots.append(
            {"weights": weights.copy(), "means": means.copy(),
             "covariances": None if covariances is None else covariances.copy()}
        )

    def record(self, info, params):
        self.objectives.append(info["objective"])
        if self.record_history:
            self.elbo_e.append(info["elbo_e_step"])
            self.elbo_m.append(info["elbo_m_step"])
        if self.keep_snapshots:
            self.snapshot(params)

    def history(self, final_objective):
        """The :class:`EMHistory`, given the objective at the final parameters."""
        if not self.record_history:
            return None
        final = [final_objective] if self.objectives else []  # max_iter=0: no iteration
        log_likelihood = np.array(self.objectives[1:] + final, dtype=float)
        elbo_m = np.array(self.elbo_m, dtype=float)
        return EMHistory(
            log_likelihood=log_likelihood,
            elbo_e_step=np.array(self.elbo_e, dtype=float),
            elbo_m_step=elbo_m,
            kl=log_likelihood - elbo_m,
        )


def progress(estimator, text):
    """Print ``text`` if the estimator is verbose."""
    if estimator.verbose:
        print(text)


def iteration_line(verbose, n_iter, log_likelihood, change, info, seconds):
    """One progress line: the iteration (verbose 1), plus timing and bounds (verbose >= 2).

    Parameters
    ----------
    verbose : int
    n_iter : int
    log_likelihood : float
        Mean log-likelihood at the iteration's E-step.
    change : float
        Its change since the previous iteration.
    info : dict
        The engine's step information (may hold ``elbo_m_step``).
    seconds : float
        Time since the start of this initialisation.

    Returns
    -------
    str
    """
    if verbose == 1:
        return f"  Iteration {n_iter}"
    elbo = f"\t ELBO after M-step {info['elbo_m_step']:.5f}" if "elbo_m_step" in info else ""
    return (f"  Iteration {n_iter}\t time lapse {seconds:.5f}s\t "
            f"log-likelihood {log_likelihood:.5f}\t change {change:.5f}{elbo}")
