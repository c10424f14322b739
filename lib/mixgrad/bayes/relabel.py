"""Undo label switching after sampling (:ref:`bayesian-unsupervised`).

With exchangeable priors the posterior of a ``k``-component mixture is
invariant under the ``k!`` permutations of the component labels. A sampler
that explores it fully visits every copy (the :term:`label switching`
problem), and per-component summaries such as "the posterior mean of mu_0"
then average over different components. Ordered means (the ordered transform,
1-D) remove the symmetry before sampling; :func:`mixgrad.bayes.relabel` removes it after:
for every draw it picks the permutation of the components whose means lie
closest to reference means and applies it to every per-component variable
(mean-based pivotal relabelling, Celeux 1998; Marin, Mengersen and Robert 2005;
Stephens' 2000 algorithm uses the classification probabilities instead).

Choosing the permutation that minimises the total cost
``sum_j cost[perm(j), j]`` is a linear assignment problem, solved exactly for
every draw by :func:`scipy.optimize.linear_sum_assignment` in ``O(k^3)``, so
any number of components is accepted (no ``k!`` enumeration).
"""

import re

import numpy as np

from mixgrad._validation import check_finite_array, check_integer

__all__ = ["relabel", "relabel_permutations"]


def relabel_permutations(means, reference_means, *, scale=None):
    """For every draw, the permutation of the components closest to the reference.

    Parameters
    ----------
    means : array-like of shape (..., k) or (..., k, d)
        Draws of the component means; leading axes are draws (e.g. chain, draw).
    reference_means : array-like of shape (k,) or (k, d)
        The labelling to match.
    scale : array-like of shape (d,), optional
        Per-coordinate scale dividing the differences (default: the standard
        deviation of all mean draws of that coordinate, pooled over components,
        so that coordinates in different units count alike).

    Returns
    -------
    ndarray of int of shape (..., k)
        ``perm[..., j]`` is the old index of the component that becomes
        component ``j``: ``means[..., perm[..., j], :]`` is closest to
        ``reference_means[j]`` in total squared scaled distance.
    """
    means = check_finite_array(means, "means")
    reference = check_finite_array(reference_means, "reference_means", ndim=(1, 2))
    if reference.ndim == 1:
        reference = reference[:, None]
        if means.shape[-1:] != reference.shape[:1]:
            raise ValueError(f"means must end with the {reference.shape[0]} components of "
                             f"reference_means, got shape {means.shape}")
        means = means[..., None]
    if means.ndim < 3 or means.shape[-2:] != reference.shape:
        raise ValueError(f"means must have shape (..., {reference.shape[0]}) or (..., "
                         f"{reference.shape[0]}, {reference.shape[1]}) with at least one draw "
                         f"axis to match reference_means {reference_means!r}; got {means.shape}")
    from scipy.optimize import linear_sum_assignment

    k, d = reference.shape
    if scale is None:
        scale = means.reshape(-1, d).std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
    scale = check_finite_array(scale, "scale", ndim=1)
    if scale.shape != (d,) or np.any(scale <= 0):
        raise ValueError(f"scale must hold {d} positive numbers, got {scale!r}")
    flat = means.reshape(-1, k, d) / scale
    # cost[s, a, j]: squared distance of old component a of draw s to reference component j
    cost = (((flat[:, :, None, :] - (reference / scale)[None, None]) ** 2).sum(axis=-1))
    best = np.empty((cost.shape[0], k), dtype=np.intp)
    for s, c in enumerate(cost):
        old, new = linear_sum_assignment(c)   # old component old[i] becomes new[i]
        best[s, new] = old
    return best.reshape(means.shape[:-2] + (k,))


def _component_families(names, k):
    """Groups of variables ``base_0 ... base_{k-1}`` (one variable per component)."""
    pattern = re.compile(r"^(.*)_(\d+)$")
    bases = {}
    for name in names:
        m = pattern.match(name)
        if m:
            bases.setdefault(m.group(1), set()).add(int(m.group(2)))
    return [base for base, idx in bases.items() if idx == set(range(k))]


def _permute(values, perm):
    """``values[c, d, perm[c, d, j], ...]`` for every chain ``c`` and draw ``d``."""
    idx = perm.reshape(perm.shape + (1,) * (values.ndim - 3))
    return np.take_along_axis(values, idx, axis=2)


def _iterate_reference(values, n_iter):
    """Permutations against a reference refined from the relabelled draws.

    Start from the mean of the first chain; then alternately relabel every draw
    and replace the reference by the mean of the relabelled draws, until the
    permutations stop changing (a k-means-like iteration, Stephens 2000).
    """
    reference = values[0].mean(axis=0)
    perm = None
    for _ in range(n_iter):
        new = relabel_permutations(values, reference)
        if perm is not None and np.array_equal(new, perm):
            break
        perm = new
        reference = _permute(values, perm).mean(axis=(0, 1))
    return perm


def relabel(idata, reference_means=None, *, var_name="means", label_vars=("z",), n_iter=10):
    """Permute the components of every draw to match reference means.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`mixgrad.bayes.sample`, typically for an unordered model
        (``ordered=False``).
    reference_means : array-like of shape (k,) or (k, d), optional
        Means defining the labelling, e.g. an EM fit's ``means_``. Default: start
        from the posterior mean of ``var_name`` over the first chain, then
        alternate relabelling the draws and replacing the reference by the mean
        of the relabelled draws until no permutation changes.
    var_name : str, default "means"
        Posterior variable matched to the reference.
    label_vars : sequence of str, default ("z",)
        Integer variables holding component indices (latent labels); their
        values are renamed accordingly when present.
    n_iter : int, default 10
        Largest number of refinements of the default reference.

    Returns
    -------
    xarray.DataTree
        A copy of ``idata`` whose posterior is relabelled: every variable with a
        "component" dimension is permuted along it, and every family of
        per-component variables ``name_0, ..., name_{k-1}`` (e.g. the packed
        Cholesky factors ``chol_j``) is permuted among itself. Other groups are
        unchanged. ``attrs["relabel_switched_fraction"]`` is the fraction of
        draws that needed a non-identity permutation.
    """
    try:
        post = idata["posterior"].to_dataset()
    except (KeyError, TypeError, AttributeError) as exc:
        raise TypeError("idata must be inference data with a 'posterior' group, as returned "
                        "by mixgrad.bayes.sample") from exc
    if var_name not in post.data_vars:
        raise ValueError(f"var_name {var_name!r} is not in the posterior; available: "
                         f"{sorted(post.data_vars)}")
    means = post[var_name]
    if means.dims[:2] != ("chain", "draw") or "component" not in means.dims:
        raise ValueError(f"{var_name} must have dimensions (chain, draw, component[, ...]), got "
                         f"{means.dims}; build the model with the 'component' coordinate")
    values = np.moveaxis(means.values, means.dims.index("component"), 2)
    k = values.shape[2]
    n_iter = check_integer(n_iter, "n_iter", minimum=1)
    if reference_means is None:
        perm = _iterate_reference(values, n_iter)
    else:
        perm = relabel_permutations(values, reference_means)         # (chain, draw, k)
    out = post.copy(deep=True)
    for name, da in post.data_vars.items():
        if "component" in da.dims:
            axis = da.dims.index("component")
            moved = _permute(np.moveaxis(da.values, axis, 2), perm)
            out[name] = da.copy(data=np.moveaxis(moved, 2, axis))
    for base in _component_families(list(post.data_vars), k):
        permuted = _permute(np.stack([post[f"{base}_{j}"].values for j in range(k)], axis=2),
                            perm)
        for j in range(k):
            out[f"{base}_{j}"] = post[f"{base}_{j}"].copy(data=permuted[:, :, j])
    inverse = np.argsort(perm, axis=-1).reshape(-1, k)               # old index -> new index
    for name in label_vars:
        if name in post.data_vars:
            labels = post[name].values.astype(np.intp)
            rows = np.arange(inverse.shape[0]).reshape(perm.shape[:2] + (1,) * (labels.ndim - 2))
            out[name] = post[name].copy(data=inverse[rows, labels].astype(post[name].dtype))
    new = idata.copy()
    new["posterior"] = out
    new.attrs["relabel_switched_fraction"] = float(
        np.mean(np.any(perm != np.arange(k), axis=-1)))
    return new
