"""Occupied components of an overfitted (sparse-Dirichlet) mixture, and label-free checks.

See the chapter :ref:`how-many-components`. Fit one deliberately overfitted
mixture (:func:`mixgrad.bayes.marginal_mixture` with a small Dirichlet
concentration) and count how many of its components the data use:
:func:`occupied_components` draws the labels from the E-step responsibilities
of each posterior draw and counts the distinct ones (the non-empty components
``K_+`` of Malsiner-Walli et al. 2016); :func:`weights_above` counts the
weights above a threshold instead. The components of such a fit are not
identified, so :func:`label_free_convergence` checks convergence on quantities
that do not depend on the labelling (:func:`sorted_weights`, ``K_+``, the
pointwise log-likelihood). :func:`prior_occupied_components` and
:func:`density_modes` answer the same questions for prior draws.
"""

import numpy as np

from mixgrad._validation import check_integer, check_positive

__all__ = ["occupied_components", "prior_occupied_components", "weights_above",
           "sorted_weights", "label_free_convergence", "density_modes"]


def prior_occupied_components(concentration, n_components, n_samples, *, rng, size=4000):
    """Prior draws of the number of occupied components among ``n_samples`` points.

    ``pi ~ Dirichlet(concentration * ones(K))``, the counts of the points per
    component ``~ Multinomial(n_samples, pi)``, and ``K_+`` is the number of
    non-zero counts: what the weights' prior alone says about how many
    components the data will use (Malsiner-Walli et al. 2016 choose the
    concentration from it).

    Parameters
    ----------
    concentration : float
        Dirichlet concentration ``alpha_0`` of every weight.
    n_components : int
        ``K``.
    n_samples : int
        Number of data points ``n``.
    rng : numpy.random.Generator
    size : int, default 4000
        Number of prior draws.

    Returns
    -------
    ndarray of int, shape (size,)
    """
    concentration = check_positive(concentration, "concentration")
    k = check_integer(n_components, "n_components", minimum=1)
    n = check_integer(n_samples, "n_samples", minimum=1)
    size = check_integer(size, "size", minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    weights = rng.dirichlet(np.full(k, concentration), size=size)
    return (rng.multinomial(n, weights) > 0).sum(axis=1)


def occupied_components(idata, X, *, rng, chunk=200, by_chain=False):
    """Number of non-empty components per draw, with labels drawn from the responsibilities.

    At draw ``s`` each point's label is drawn from its E-step responsibilities
    ``r_ij(s) = pi_j N(x_i | theta_j) / sum_l pi_l N(x_i | theta_l)``, i.e. from
    ``p(z_i | x_i, theta^(s))``, so the labels and the parameters are together a
    draw of the joint posterior; ``K_+`` is the number of distinct labels. It
    needs no threshold: a component is occupied when at least one point is in it.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior of a mixture (``weights``, ``means``, ``sigmas`` or
        ``covariances``), e.g. from :func:`mixgrad.bayes.marginal_mixture`.
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        The data the model was fitted to.
    rng : numpy.random.Generator
        Source of the label draws.
    chunk : int, default 200
        Draws processed at a time.
    by_chain : bool, default False
        Return shape (n_chains, n_draws_per_chain), for convergence checks.

    Returns
    -------
    ndarray of int, shape (n_draws,) or (n_chains, n_draws_per_chain)
        ``K_+`` per posterior draw (chains stacked unless ``by_chain``).
    """
    from scipy.special import logsumexp

    from mixgrad.bayes.diagnostics import posterior_draws
    from mixgrad.bayes.priors import check_data
    from mixgrad.bayes.unsupervised import _log_joint_draws

    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    X = check_data(X, min_samples=1)
    chunk = check_integer(chunk, "chunk", minimum=1)
    n_draws = posterior_draws(idata, "weights").shape[0]
    counts = np.empty(n_draws, dtype=int)
    for start in range(0, n_draws, chunk):
        draws = np.arange(start, min(start + chunk, n_draws))
        with np.errstate(divide="ignore"):  # a weight that underflowed to 0: log 0 = -inf
            log_joint = _log_joint_draws(idata, X, draws=draws)         # (s, n, k)
        resp = np.exp(log_joint - logsumexp(log_joint, axis=-1, keepdims=True))
        u = rng.random(resp.shape[:2] + (1,))
        labels = (resp.cumsum(axis=-1) < u).sum(axis=-1)                # inverse-cdf draw
        labels = np.minimum(labels, resp.shape[-1] - 1)
        occupied = np.zeros((draws.size, resp.shape[-1]), dtype=bool)
        np.put_along_axis(occupied, labels, True, axis=1)
        counts[draws] = occupied.sum(axis=1)
    if by_chain:
        return counts.reshape(_chain_draw_shape(idata))
    return counts


def _chain_draw_shape(idata):
    weights = idata["posterior"]["weights"]
    return weights.sizes["chain"], weights.sizes["draw"]


def weights_above(idata, threshold):
    """Number of weights above ``threshold`` in each posterior draw.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior with ``weights`` of shape (n_components,).
    threshold : float
        A weight strictly between 0 and 1; the count depends on it (a
        component whose weight is 0.004 holds about one point in 250).

    Returns
    -------
    ndarray of int, shape (n_draws,)
    """
    from mixgrad.bayes.diagnostics import posterior_draws

    threshold = check_positive(threshold, "threshold")
    if threshold >= 1:
        raise ValueError(f"threshold must lie strictly between 0 and 1, got {threshold}")
    return (posterior_draws(idata, "weights") > threshold).sum(axis=1)


def sorted_weights(idata):
    """The weights of every draw sorted in decreasing order: a label-free summary.

    Relabelling the components permutes the weights but leaves their sorted
    values unchanged, so chains that settled on different labellings can be
    compared on them.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior with ``weights`` of shape (n_components,).

    Returns
    -------
    ndarray of shape (n_chains, n_draws_per_chain, n_components)
        ``[..., 0]`` is the largest weight of each draw.
    """
    weights = np.asarray(idata["posterior"]["weights"].transpose("chain", "draw", ...).values)
    return -np.sort(-weights, axis=-1)


def label_free_convergence(idata, X, *, rng, n_sorted=None, **thresholds):
    """Convergence of an overfitted mixture on quantities that do not depend on the labels.

    Applies :func:`mixgrad.bayes.convergence_report` to three label-free
    quantities at once: the pointwise log-likelihood ``log p(x_i | theta)``
    (every point), the ``n_sorted`` largest weights of each draw
    (:func:`sorted_weights`) and the number of occupied components ``K_+``
    (:func:`occupied_components`; left out when it is the same in every draw,
    where r-hat is undefined). Per-parameter r-hat of an overfitted
    mixture need not reach 1.01 (the empty components swap labels); these do
    when the chains agree on the mixture.

    Parameters
    ----------
    idata : xarray.DataTree
        With ``posterior`` (``weights``, ``means``, ``sigmas``),
        ``log_likelihood`` (variable ``x``) and ``sample_stats`` groups.
    X : array-like of shape (n_samples,) or (n_samples, n_features)
        The data the model was fitted to.
    rng : numpy.random.Generator
        Source of the label draws behind ``K_+``.
    n_sorted : int, optional
        How many of the largest weights to check (default: all). The weights
        of empty components are prior draws near zero; their sorted values mix
        slowly on any scale and say nothing about the fitted mixture.
    **thresholds
        ``r_hat_max``, ``ess_min``, ``max_divergences`` of
        :func:`mixgrad.bayes.convergence_report`.

    Returns
    -------
    report : ConvergenceReport
        Worst r-hat and ESS over all the quantities, and the divergences.
    k_plus : ndarray of int, shape (n_chains, n_draws_per_chain)
        The ``K_+`` draws that were checked.
    """
    import xarray as xr

    from mixgrad.bayes.diagnostics import convergence_report

    if "log_likelihood" not in idata.children:
        raise ValueError("idata has no log_likelihood group; add it with "
                         "mixgrad.bayes.add_log_likelihood(idata, model)")
    ranked = sorted_weights(idata)
    if n_sorted is not None:
        n_sorted = check_integer(n_sorted, "n_sorted", minimum=1)
        if n_sorted > ranked.shape[-1]:
            raise ValueError(f"n_sorted={n_sorted} exceeds the number of components "
                             f"({ranked.shape[-1]})")
        ranked = ranked[..., :n_sorted]
    k_plus = occupied_components(idata, X, rng=rng, by_chain=True)
    loglik = idata["log_likelihood"]["x"].transpose("chain", "draw", ...).values
    dims = ("chain", "draw")
    quantities = {"log_lik": (dims + ("obs",), loglik),
                  "sorted_weights": (dims + ("rank",), ranked)}
    if np.ptp(k_plus) > 0:  # a constant K+ has no r-hat (0/0) and needs none
        quantities["k_plus"] = (dims, k_plus.astype(float))
    tree = xr.DataTree.from_dict({"posterior": xr.Dataset(quantities),
                                  "sample_stats": idata["sample_stats"].to_dataset()})
    report = convergence_report(tree, list(quantities), **thresholds)
    return report, k_plus


def density_modes(weights, means, sigmas, grid):
    """Number of modes (bumps) of univariate Gaussian mixture densities, on a grid.

    Counts the strict local maxima of ``log sum_j pi_j N(t | mu_j, sigma_j^2)``
    over the grid points ``t`` (the log keeps far tails from underflowing to
    flat zeros). A mode narrower than the grid spacing can be missed.

    Parameters
    ----------
    weights, means, sigmas : array-like of shape (n_draws, n_components) or (n_components,)
        Mixture parameters, one row per draw (e.g. prior draws).
    grid : array-like of shape (n_grid,)
        Increasing evaluation points, wide enough to hold every mode.

    Returns
    -------
    ndarray of int, shape (n_draws,)
    """
    from scipy.special import logsumexp

    from mixgrad._validation import check_finite_array

    weights = np.atleast_2d(check_finite_array(weights, "weights", ndim=(1, 2)))
    means = np.atleast_2d(check_finite_array(means, "means", ndim=(1, 2)))
    sigmas = np.atleast_2d(check_finite_array(sigmas, "sigmas", ndim=(1, 2)))
    grid = check_finite_array(grid, "grid", ndim=1)
    if not weights.shape == means.shape == sigmas.shape:
        raise ValueError(f"weights, means and sigmas must have the same shape, got "
                         f"{weights.shape}, {means.shape}, {sigmas.shape}")
    if np.any(sigmas <= 0) or np.any(weights < 0):
        raise ValueError("sigmas must be positive and weights non-negative")
    if grid.size < 3 or np.any(np.diff(grid) <= 0):
        raise ValueError("grid must hold at least 3 strictly increasing points")
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)[:, None, :]
    z = (grid[None, :, None] - means[:, None, :]) / sigmas[:, None, :]
    log_dens = logsumexp(log_w - 0.5 * z**2 - np.log(sigmas)[:, None, :], axis=-1)
    peak = (log_dens[:, 1:-1] > log_dens[:, :-2]) & (log_dens[:, 1:-1] > log_dens[:, 2:])
    return peak.sum(axis=1)
