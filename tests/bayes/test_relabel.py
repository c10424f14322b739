"""mixgrad.bayes.relabel on synthetic draws with known permutations; the label-switching figures."""

import itertools

import mixgrad.bayes  # noqa: F401  # before pymc/pytensor: sets PyTensor's BLAS flag
import numpy as np
import pytest
import xarray as xr
from mixgrad.bayes.relabel import relabel, relabel_permutations
from mixgrad.plot.mixing import plot_chain_traces, plot_rank_histograms

MEANS = np.array([[-3.0, 0.0], [0.0, 2.0], [4.0, -1.0]])   # k = 3 components, d = 2
WEIGHTS = np.array([0.2, 0.3, 0.5])


def _synthetic(rng, n_chains=3, n_draws=50, n_obs=7, switch=True, first_chain_clean=True):
    """Draws near known parameters, each draw's components shuffled by a random permutation.

    Returns the inference data and the draws before shuffling (the truth to recover).
    """
    k, d = MEANS.shape
    shape = (n_chains, n_draws)
    means = MEANS + 0.1 * rng.standard_normal(shape + (k, d))
    weights = WEIGHTS + 0.01 * rng.standard_normal(shape + (k,))
    chols = [np.full(shape + (3,), float(j)) + 0.01 * rng.standard_normal(shape + (3,))
             for j in range(k)]                                       # chol_j, one per component
    labels = rng.integers(k, size=shape + (n_obs,))
    perms = np.array(list(itertools.permutations(range(k))))
    perm = perms[rng.integers(len(perms), size=shape)] if switch else np.broadcast_to(
        np.arange(k), shape + (k,))
    if first_chain_clean:
        perm = perm.copy()
        perm[0] = np.arange(k)
    # shuffled component j is true component perm[..., j]
    idx = perm[..., None]
    post = {
        "means": (("chain", "draw", "component", "feature"),
                  np.take_along_axis(means, idx, axis=2)),
        "weights": (("chain", "draw", "component"),
                    np.take_along_axis(weights, perm, axis=2)),
        "z": (("chain", "draw", "obs"),
              np.argsort(perm, axis=-1)[np.arange(n_chains)[:, None, None],
                                        np.arange(n_draws)[None, :, None], labels]),
        "other": (("chain", "draw"), rng.standard_normal(shape)),
    }
    stacked = np.stack(chols, axis=2)
    for j in range(k):
        post[f"chol_{j}"] = (("chain", "draw", "chol_dim"), stacked[:, :, :, :][
            np.arange(n_chains)[:, None], np.arange(n_draws)[None, :], perm[..., j]])
    tree = xr.DataTree.from_dict({"posterior": xr.Dataset(post),
                                  "sample_stats": xr.Dataset(
                                      {"diverging": (("chain", "draw"),
                                                     np.zeros(shape, dtype=bool))})})
    truth = {"means": means, "weights": weights, "z": labels, "chols": chols, "perm": perm}
    return tree, truth


def test_relabel_recovers_known_permutations(rng):
    idata, truth = _synthetic(rng)
    out = relabel(idata, MEANS)
    post = out["posterior"]
    np.testing.assert_array_equal(post["means"].values, truth["means"])
    np.testing.assert_array_equal(post["weights"].values, truth["weights"])
    np.testing.assert_array_equal(post["z"].values, truth["z"])
    for j in range(3):
        np.testing.assert_array_equal(post[f"chol_{j}"].values, truth["chols"][j])
    # untouched: variables without a component dimension, other groups, the input
    np.testing.assert_array_equal(post["other"].values, idata["posterior"]["other"].values)
    assert "sample_stats" in out.children
    switched = np.mean(np.any(truth["perm"] != np.arange(3), axis=-1))
    assert out.attrs["relabel_switched_fraction"] == pytest.approx(switched)
    assert "relabel_switched_fraction" not in idata.attrs
    assert not np.array_equal(idata["posterior"]["means"].values, truth["means"])


def test_default_reference_is_refined_from_the_draws(rng):
    # chain 0 is clean: the default reference is its mean, i.e. the true labelling
    idata, truth = _synthetic(rng)
    np.testing.assert_array_equal(relabel(idata)["posterior"]["means"].values, truth["means"])
    # chain 0 switches too: the reference starts as a blend of components and is refined
    idata, truth = _synthetic(rng, first_chain_clean=False)
    means = relabel(idata)["posterior"]["means"].values
    first = means[0, 0]
    order = [int(np.argmin(((MEANS - m) ** 2).sum(axis=1))) for m in first]
    np.testing.assert_array_equal(means, truth["means"][:, :, order])


def test_relabel_without_switching_changes_nothing(rng):
    idata, truth = _synthetic(rng, switch=False)
    out = relabel(idata)
    assert out.attrs["relabel_switched_fraction"] == 0.0
    np.testing.assert_array_equal(out["posterior"]["means"].values, truth["means"])


def test_relabel_permutations_in_1d_and_with_scale():
    reference = np.array([0.0, 10.0])
    draws = np.array([[[0.1, 9.9], [9.8, 0.2], [10.1, -0.1]]])           # (chain, draw, k)
    np.testing.assert_array_equal(relabel_permutations(draws, reference),
                                  [[[0, 1], [1, 0], [1, 0]]])
    # d = 2: coordinate 0 says "identity", coordinate 1 (in larger units) says "swap";
    # the scale decides which differences count
    reference = np.array([[0.0, 0.0], [1.0, 100.0]])
    draws = np.array([[[[0.0, 100.0], [1.0, 0.0]]]])                    # (1, 1, k=2, d=2)
    np.testing.assert_array_equal(relabel_permutations(draws, reference, scale=[1.0, 1.0]),
                                  [[[1, 0]]])
    np.testing.assert_array_equal(relabel_permutations(draws, reference, scale=[0.01, 100.0]),
                                  [[[0, 1]]])


@pytest.mark.parametrize("k", [2, 3, 5, 6])
def test_assignment_matches_brute_force_enumeration(rng, k):
    # the linear assignment solution is the best of all k! permutations, draw by draw
    reference = rng.normal(size=(k, 2)) * 3
    draws = rng.normal(size=(40, k, 2)) * 3                 # arbitrary draws, ties unlikely
    found = relabel_permutations(draws, reference, scale=[1.0, 1.0])
    perms = np.array(list(itertools.permutations(range(k))))
    cost = ((draws[:, :, None, :] - reference[None, None]) ** 2).sum(-1)   # (s, old, new)
    totals = cost[:, perms, np.arange(k)].sum(-1)
    np.testing.assert_array_equal(found, perms[totals.argmin(axis=1)])


def test_relabel_permutations_any_number_of_components(rng):
    k = 9  # 362880 permutations: the assignment solver does not enumerate them
    reference = np.arange(k, dtype=float) * 10
    perm = rng.permutation(k)
    draws = reference[perm][None, None] + 0.1
    found = relabel_permutations(draws, reference)[0, 0]
    np.testing.assert_array_equal(draws[0, 0][found], reference + 0.1)


def test_errors(rng):
    idata, _ = _synthetic(rng)
    with pytest.raises(ValueError, match="must end with the 7 components"):
        relabel_permutations(np.zeros((1, 2, 6)), np.arange(7.0))
    with pytest.raises(ValueError, match="var_name 'mu' is not in the posterior"):
        relabel(idata, var_name="mu")
    with pytest.raises(ValueError, match="must have dimensions \\(chain, draw, component"):
        relabel(idata, var_name="other")
    with pytest.raises(TypeError, match="'posterior' group"):
        relabel(xr.DataTree(), MEANS)
    with pytest.raises(ValueError, match="means must have shape"):
        relabel(idata, MEANS[:2])
    with pytest.raises(ValueError, match="reference_means contains NaN"):
        relabel(idata, np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match="scale must hold 2 positive numbers"):
        relabel_permutations(np.zeros((1, 1, 3, 2)), MEANS, scale=[1.0, 0.0])
    with pytest.raises(ValueError, match="n_iter must be >= 1"):
        relabel(idata, n_iter=0)


# --- figures: label switching seen in traces and ranks ------------------------------


def test_plot_chain_traces_and_rank_histograms(rng):
    idata, truth = _synthetic(rng, n_chains=4, n_draws=40)
    ax = plot_chain_traces(idata, "means", (0, 0))
    assert len(ax.lines) == 4
    np.testing.assert_array_equal(ax.lines[2].get_ydata(),
                                  idata["posterior"]["means"].values[2, :, 0, 0])
    assert ax.get_ylabel() == "means[0,0]"
    ax = plot_rank_histograms(relabel(idata, MEANS), "means", (0, 0), bins=4)
    counts = [patch.get_data()[0] for patch in ax.patches]
    assert len(counts) == 4 and all(c.sum() == 40 for c in counts)
    # ArviZ's ranks equal the ordinal ranks of the pooled draws (no ties in continuous draws)
    draws = relabel(idata, MEANS)["posterior"]["means"].values[:, :, 0, 0]
    direct = np.argsort(np.argsort(draws.ravel())).reshape(draws.shape)
    edges = np.linspace(0, draws.size, 5)
    for c in range(4):
        np.testing.assert_array_equal(counts[c], np.histogram(direct[c], bins=edges)[0])
    # a chain stuck in another labelling has all of its ranks at one end
    stuck = idata.copy()
    post = stuck["posterior"].to_dataset()
    post["means"] = post["means"].copy(data=np.where(
        np.arange(4)[:, None, None, None] == 3, 100.0 + post["means"].values,
        post["means"].values))
    stuck["posterior"] = post
    ax = plot_rank_histograms(stuck, "means", (0, 0), bins=4)
    assert ax.patches[3].get_data()[0][-1] == 40
    with pytest.raises(ValueError, match="pass index with that many entries"):
        plot_chain_traces(idata, "means", 0)
    with pytest.raises(ValueError, match="'sigmas' is not in the posterior"):
        plot_rank_histograms(idata, "sigmas")


# --- per-chain intervals (the compact forest plot) -----------------------------------


def test_chain_intervals_match_numpy_quantiles(rng):
    from mixgrad.bayes import chain_intervals

    idata, _ = _synthetic(rng, n_chains=3, n_draws=50)
    stats = chain_intervals(idata, "means", ci_probs=(0.5, 0.9))
    values = idata["posterior"]["means"].values            # (chain, draw, k, d)
    k, d = values.shape[2:]
    assert stats.shape == (3, k * d, 5)
    for c in range(3):
        for j in range(k * d):
            v = values[c, :, j // d, j % d]
            np.testing.assert_allclose(stats[c, j], [np.quantile(v, 0.05), np.quantile(v, 0.25),
                                                      v.mean(), np.quantile(v, 0.75),
                                                      np.quantile(v, 0.95)], rtol=1e-12)
    assert np.all(np.diff(stats[..., [0, 1, 3, 4]], axis=-1) >= 0)
    with pytest.raises(ValueError, match="0 < inner < outer < 1"):
        chain_intervals(idata, "means", ci_probs=(0.9, 0.5))
    with pytest.raises(ValueError, match="not in the posterior"):
        chain_intervals(idata, "sigmas")


def test_plot_chain_intervals_rows_and_labels(rng):
    from mixgrad.bayes import chain_intervals
    from mixgrad.plot.mixing import plot_chain_intervals

    idata, _ = _synthetic(rng, n_chains=4, n_draws=40)
    runs = {"before": idata, "after": relabel(idata, MEANS)}
    ax = plot_chain_intervals(runs, "weights", entry_labels=["$\\pi_0$", "$\\pi_1$", "$\\pi_2$"])
    k = idata["posterior"]["weights"].sizes["component"]
    # thin line, thick line, dot per row; a grey separator between entries
    assert len(ax.lines) == 3 * k * 2 * 4 + (k - 1)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["$\\pi_0$", "$\\pi_1$", "$\\pi_2$"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before", "after"]
    # the first row is chain 0 of the first run, entry 0: its outer interval
    outer = chain_intervals(idata, "weights")[0, 0, [0, 4]]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), outer)
    # every row lies inside its entry's band (y - 0.5, y + 0.5)
    ys = np.array([line.get_ydata()[0] for line in ax.lines[: 3 * k * 2 * 4]])
    assert np.all(ys < 0.5) and np.all(ys > -k + 0.5)
    with pytest.raises(ValueError, match="entry_labels must have 3 labels"):
        plot_chain_intervals(runs, "weights", entry_labels=["a"])
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_chain_intervals({}, "weights")
