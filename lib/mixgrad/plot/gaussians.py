"""Figures for Gaussians and generative mixtures.

Covariance ellipses from the eigen-decomposition, univariate densities, the
1-D mixture density with its weighted components, samples coloured by their
(latent or estimated) label, soft assignments as blended colours, and a
zero-inflated Poisson fit. Plotting functions take an optional ``ax`` and
return the Axes they drew on; the two small computations they rest on
(:func:`~mixgrad.plot.covariance_axes`) is public; the densities and the label matching
used to colour clusterings consistently come from :mod:`mixgrad.mixture`
(:func:`~mixgrad.mixture.mixture_density_1d`, :func:`~mixgrad.mixture.evaluation.align_labels`).

See the chapter :ref:`gaussian-mixtures`.
"""

import numpy as np
from scipy import stats

from mixgrad._docs import fill_doc
from mixgrad._validation import check_finite_array, check_labels, check_positive
from mixgrad.mixture.evaluation import label_mapping
from mixgrad.mixture.gaussian import check_mixture_1d, mixture_density_1d
from mixgrad.mixture.poisson import _check_counts, _check_pi

from ._base import get_axes, soft_colours
from .ellipse import covariance_axes, covariance_ellipse
from .style import PALETTE

__all__ = [
    "covariance_axes",
    "plot_covariance_ellipse",
    "plot_gaussian_2d",
    "plot_gaussians_1d",
    "plot_mixture_1d",
    "plot_labelled_samples",
    "soft_colours",
    "plot_soft_assignment",
    "plot_zip_counts",
]


def _colour(k):
    return PALETTE[k % len(PALETTE)]


# --- Gaussians ---------------------------------------------------------------------


def plot_covariance_ellipse(mean, covariance, *, n_std=2.0, ax=None, color=None, label=None,
                            show_axes=False, **kwargs):
    """Draw the ellipse ``(x - mu)^T Sigma^{-1} (x - mu) = n_std^2``.

    Parameters
    ----------
    mean : array-like of shape (2,)
        Centre.
    covariance : array-like of shape (2, 2)
        Covariance matrix; the ellipse's axes come from
        :func:`~mixgrad.plot.covariance_axes`.
    n_std : float, default 2.0
        Mahalanobis radius (> 0).
    ax : matplotlib Axes, optional
    color : colour, optional
        Edge colour (default the first palette colour).
    label : str, optional
        Legend label of the ellipse.
    show_axes : bool, default False
        Also draw the two principal semi-axes (length ``n_std * sqrt(lambda)``).
    **kwargs
        Passed to :class:`matplotlib.patches.Ellipse`.

    Returns
    -------
    matplotlib.axes.Axes
        With one :class:`~matplotlib.patches.Ellipse` added (and two lines if
        ``show_axes``).
    """
    mean = check_finite_array(mean, "mean", ndim=1)
    if mean.shape != (2,):
        raise ValueError(f"mean must have shape (2,), got {mean.shape}")
    n_std = check_positive(n_std, "n_std")
    lengths, directions, _ = covariance_axes(covariance)
    ax = get_axes(ax)
    color = PALETTE[0] if color is None else color
    kwargs.setdefault("linewidth", 1.5)
    ax.add_patch(covariance_ellipse(mean, covariance, n_std=n_std, fill=False, edgecolor=color,
                                    label=label, **kwargs))
    if show_axes:
        for length, direction in zip(lengths, directions.T, strict=True):
            tip = mean + n_std * length * direction
            ax.plot([mean[0], tip[0]], [mean[1], tip[1]], color=color, linewidth=2)
    ax.update_datalim([mean - n_std * lengths[0], mean + n_std * lengths[0]])
    ax.autoscale_view()
    return ax


def plot_gaussian_2d(mean, covariance, *, samples=None, n_std=(1.0, 2.0), ax=None, color=None,
                     title=None):
    """One bivariate Gaussian: samples, ellipses at several radii, principal axes.

    Parameters
    ----------
    mean : array-like of shape (2,)
    covariance : array-like of shape (2, 2)
    samples : array-like of shape (n_samples, 2), optional
        Points to scatter underneath.
    n_std : sequence of float, default (1, 2)
        Mahalanobis radii of the ellipses; the axes are drawn on the first.
    ax : matplotlib Axes, optional
    color : colour, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Equal aspect; one ellipse per radius, two axis lines.
    """
    ax = get_axes(ax)
    color = PALETTE[0] if color is None else color
    if samples is not None:
        samples = check_finite_array(samples, "samples", ndim=2)
        ax.scatter(samples[:, 0], samples[:, 1], s=4, alpha=0.3, color="0.5", linewidths=0)
    for i, radius in enumerate(n_std):
        plot_covariance_ellipse(mean, covariance, n_std=radius, ax=ax, color=color,
                                show_axes=(i == 0), linestyle="-" if i == 0 else "--")
    ax.set_aspect("equal", adjustable="datalim")
    if title is not None:
        ax.set_title(title)
    return ax


@fill_doc
def plot_gaussians_1d(means, variances, *, x=None, ax=None):
    """Univariate normal densities ``N(x | mu, sigma^2)``, one curve each.

    Parameters
    ----------
    means : array-like of shape (n_curves,)
    variances : array-like of shape (n_curves,)
        Variances (> 0).
    x : array-like of shape (n_points,), optional
        Grid; default spans every mean +- 4 standard deviations.
    %(ax_returns)s
        One labelled line per density.
    """
    means = check_finite_array(means, "means", ndim=1)
    k = means.shape[0]
    _, means, variances = check_mixture_1d(np.full(k, 1.0 / k), means, variances)
    sd = np.sqrt(variances)
    if x is None:
        x = np.linspace((means - 4 * sd).min(), (means + 4 * sd).max(), 400)
    x = check_finite_array(x, "x", ndim=1)
    ax = get_axes(ax)
    for j in range(k):
        density, _ = mixture_density_1d(x, [1.0], means[j : j + 1], variances[j : j + 1])
        ax.plot(x, density, color=_colour(j),
                label=rf"$\mu = {means[j]:g},\ \sigma = {sd[j]:.3g}$")
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    ax.legend()
    return ax


# --- mixtures ------------------------------------------------------------------------


@fill_doc
def plot_mixture_1d(weights, means, variances, *, samples=None, bins=80, x=None, ax=None):
    """A univariate mixture density, its weighted components and a histogram.

    Parameters
    ----------
    weights, means, variances : array-like of shape (n_components,)
        Mixture parameters (variances, not standard deviations).
    samples : array-like of shape (n_samples,), optional
        Drawn as a density-normalised histogram underneath.
    bins : int, default 80
        Histogram bins.
    x : array-like of shape (n_points,), optional
        Grid for the curves; default spans the components +- 4 sd.
    %(ax_returns)s
        One dashed line per component ``pi_k N_k`` (in palette order), then the
        total density ``p(x)`` in black.
    """
    weights, means, variances = check_mixture_1d(weights, means, variances)
    sd = np.sqrt(variances)
    if x is None:
        x = np.linspace((means - 4 * sd).min(), (means + 4 * sd).max(), 600)
    density, components = mixture_density_1d(x, weights, means, variances)
    ax = get_axes(ax)
    if samples is not None:
        samples = check_finite_array(samples, "samples", ndim=1)
        ax.hist(samples, bins=bins, density=True, color="0.8", label="samples")
    for j in range(weights.shape[0]):
        ax.plot(x, components[:, j], "--", color=_colour(j),
                label=rf"$\pi_{j} \mathcal{{N}}(x \mid {means[j]:g}, {sd[j]:g}^2)$")
    ax.plot(x, density, color="black", linewidth=1.5, label="$p(x)$")
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    ax.legend()
    return ax


def plot_labelled_samples(X, labels, *, reference=None, means=None, covariances=None,
                          centers=None, n_std=2.0, ax=None, title=None):
    """Scatter 2-D samples coloured by label, with optional ellipses and centres.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    labels : array-like of int of shape (n_samples,)
        Latent components or cluster assignments.
    reference : array-like of int of shape (n_samples,), optional
        True labels: ``labels`` (and ``means``, ``covariances``, ``centers``)
        are first renamed by :func:`~mixgrad.mixture.evaluation.align_labels`,
        and the samples whose label then disagrees with ``reference`` are
        circled in black.
    means : array-like of shape (n_components, 2), optional
        Component means, with ``covariances`` for ellipses.
    covariances : array-like of shape (n_components, 2, 2), optional
    centers : array-like of shape (n_components, 2), optional
        Cluster centres, drawn as black crosses.
    n_std : float, default 2.0
        Mahalanobis radius of the ellipses.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One scatter collection per label (plus one for the circled errors).
    """
    X = check_finite_array(X, "X", ndim=2)
    labels = check_labels(labels, name="labels", unlabelled=False)
    if X.shape[1] != 2 or labels.shape[0] != X.shape[0]:
        raise ValueError(
            f"X must have shape (n_samples, 2) and labels shape (n_samples,), got {X.shape} "
            f"and {labels.shape}"
        )
    mapping = None  # identity
    if reference is not None:
        mapping = label_mapping(labels, reference)
        labels = mapping[labels]
    ax = get_axes(ax)
    for j in np.unique(labels):
        rows = labels == j
        ax.scatter(X[rows, 0], X[rows, 1], s=6, alpha=0.6, color=_colour(j), linewidths=0)
    if reference is not None:
        wrong = labels != np.asarray(reference)
        ax.scatter(X[wrong, 0], X[wrong, 1], s=22, facecolors="none", edgecolors="black",
                   linewidths=0.6, label=f"disagrees with truth ({wrong.sum()})")
        ax.legend(loc="best")
    if covariances is not None:
        means = check_finite_array(means, "means", ndim=2)
        covariances = check_finite_array(covariances, "covariances", ndim=3)
        for j in range(means.shape[0]):
            shown = j if mapping is None or j >= mapping.size else mapping[j]
            plot_covariance_ellipse(means[j], covariances[j], n_std=n_std, ax=ax,
                                    color=_colour(shown))
    if centers is not None:
        centers = check_finite_array(centers, "centers", ndim=2)
        ax.scatter(centers[:, 0], centers[:, 1], marker="x", s=60, color="black")
    ax.set_aspect("equal", adjustable="datalim")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_soft_assignment(X, responsibilities, *, ax=None, title=None):
    """Scatter 2-D samples in colours mixed by their responsibilities.

    A sample owned by one component gets that component's colour; a sample
    shared between two gets a blend, so the uncertain region shows as a band.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    responsibilities : array-like of shape (n_samples, n_components)
        Rows summing to 1 (e.g. ``GaussianMixture.predict_proba(X)``).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One scatter collection, its face colours from :func:`soft_colours`.
    """
    X = check_finite_array(X, "X", ndim=2)
    colours = soft_colours(responsibilities)
    if X.shape[1] != 2 or colours.shape[0] != X.shape[0]:
        raise ValueError(
            f"X must have shape (n_samples, 2) matching responsibilities' rows, got {X.shape}"
        )
    ax = get_axes(ax)
    ax.scatter(X[:, 0], X[:, 1], s=8, c=colours, linewidths=0)
    ax.set_aspect("equal", adjustable="datalim")
    if title is not None:
        ax.set_title(title)
    return ax


@fill_doc
def plot_zip_counts(x, pi, rate, *, ax=None):
    """Observed count frequencies against a zero-inflated Poisson's two parts.

    Parameters
    ----------
    x : array-like of int of shape (n_samples,)
        Non-negative counts.
    pi : float
        Probability of a structural zero, in [0, 1).
    rate : float
        Poisson rate (> 0).
    %(ax_returns)s
        Grey bars (observed frequencies), stacked markers for the structural
        zeros ``pi`` and the Poisson part ``(1 - pi) Pois(j | rate)``.
    """
    x, pi = _check_counts(x), _check_pi(pi)
    rate = check_positive(rate, "rate")
    j = np.arange(int(x.max()) + 2)
    freq = np.bincount(x.astype(int), minlength=j.size)[: j.size] / x.size
    poisson = (1 - pi) * stats.poisson.pmf(j, rate)
    ax = get_axes(ax)
    ax.bar(j, freq, color="0.8", label="observed frequency")
    ax.bar([0], [pi], bottom=[poisson[0]], width=0.4, color=_colour(1),
           label=r"structural zeros $\pi$")
    ax.bar(j, poisson, width=0.4, color=_colour(0),
           label=r"Poisson part $(1-\pi)\,\mathrm{Pois}(j \mid \lambda)$")
    ax.set_xlabel("count $j$")
    ax.set_ylabel("probability")
    ax.legend()
    return ax
