"""EM on dask arrays (mixgrad.mixture.scale): equal to the in-memory fit, clear errors."""

import logging
import math
import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask[array] is not installed (extra 'scale')")
distributed = pytest.importorskip("distributed", reason="distributed is not installed")

from mixgrad.exceptions import ConvergenceWarning  # noqa: E402
from mixgrad.mixture import GaussianMixture  # noqa: E402
from mixgrad.mixture.scale import DaskEM, score_dask  # noqa: E402

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
RTOL = 1e-10  # the claim: same iterates up to the order of summation


@pytest.fixture(scope="module", params=[False, True], ids=["threads", "processes"])
def client(request):
    """A two-worker LocalCluster on loopback, no dashboard; closed after the module."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                       processes=request.param, protocol="tcp", host="127.0.0.1",
                                       dashboard_address=None, silence_logs=logging.ERROR)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def mixture_data(rng, n=3000):
    X = np.concatenate([rng.normal(0.0, 1.0, (n // 3, 2)),
                        rng.normal(4.0, 0.5, (n // 3, 2)),
                        rng.normal((0.0, 5.0), 0.7, (n - 2 * (n // 3), 2))])
    return X[rng.permutation(n)]


def fit_both(X, chunks, **kwargs):
    kwargs = {"n_components": 3, "random_state": 1, "max_iter": 8, "tol": 0.0} | kwargs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        memory = GaussianMixture(**kwargs).fit(X)
        blocks = GaussianMixture(**kwargs).fit(da.from_array(X, chunks=(chunks, -1)))
    return memory, blocks


def assert_same_fit(memory, blocks):
    assert blocks.n_iter_ == memory.n_iter_
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        a, b = getattr(memory, name), getattr(blocks, name)
        np.testing.assert_allclose(b, a, rtol=0, atol=RTOL * np.abs(a).max(), err_msg=name)
    np.testing.assert_allclose(blocks.lower_bounds_, memory.lower_bounds_, rtol=RTOL)
    np.testing.assert_allclose(blocks.history_.elbo_m_step, memory.history_.elbo_m_step,
                               rtol=RTOL)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_threaded_fit_equals_in_memory_fit(rng, covariance_type):
    memory, blocks = fit_both(mixture_data(rng), 700, covariance_type=covariance_type)
    assert_same_fit(memory, blocks)
    assert blocks.n_features_in_ == 2


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_cluster_fit_equals_in_memory_fit(client, rng, covariance_type):
    memory, blocks = fit_both(mixture_data(rng), 1000, covariance_type=covariance_type,
                              max_iter=3)
    assert_same_fit(memory, blocks)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_two_pass_fallback_blockwise(rng, covariance_type):
    """A tight component far from the centre takes the two-pass covariance path."""
    X = mixture_data(rng, 1500)
    X[:300] = 1e4 + 1e-2 * rng.normal(size=(300, 2))
    memory, blocks = fit_both(X, 400, covariance_type=covariance_type, max_iter=4)
    assert_same_fit(memory, blocks)


def test_same_initial_parameters_on_a_subsample(rng):
    """With given initial parameters the strided sample plays no role."""
    X = mixture_data(rng, 2000)
    start = {"weights_init": [0.3, 0.3, 0.4], "means_init": [[0, 0], [4, 4], [0, 5]],
             "precisions_init": np.tile(np.eye(2), (3, 1, 1))}
    memory, blocks = fit_both(X, 300, **start)
    assert_same_fit(memory, blocks)


def test_strided_sample_and_centre(rng):
    X = mixture_data(rng, 1000)
    engine = DaskEM(da.from_array(X, chunks=(128, 2)), 3, "tied", 1e-6, sample_size=90)
    np.testing.assert_array_equal(engine.sample, X[:: math.ceil(1000 / 90)])
    np.testing.assert_allclose(engine.center, X.mean(axis=0), rtol=1e-13)
    Xc = X - X.mean(axis=0)
    np.testing.assert_allclose(engine.scatter, Xc.T @ Xc, rtol=1e-12)


def test_score_dask_equals_score(rng):
    X = mixture_data(rng)
    gm = GaussianMixture(3, random_state=0).fit(X)
    assert score_dask(gm, da.from_array(X, chunks=(500, -1))) == pytest.approx(gm.score(X),
                                                                                rel=1e-12)


# --- bad input: clear errors, never a hang ----------------------------------------------


def with_nan_in_block(rng, block):
    X = mixture_data(rng, 1000)
    X[block * 250 + 7, 1] = np.nan
    return da.from_array(X, chunks=(250, -1))


def test_nan_block_is_named(rng):
    with pytest.raises(ValueError, match=r"NaN or infinite values in block 2 \(rows 500-749\)"):
        GaussianMixture(2).fit(with_nan_in_block(rng, 2))


def test_nan_block_is_named_on_the_cluster(client, rng):
    with pytest.raises(ValueError, match=r"NaN or infinite values in block 1 \(rows 250-499\)"):
        GaussianMixture(2).fit(with_nan_in_block(rng, 1))


def test_chunks_across_columns(rng):
    X = da.from_array(mixture_data(rng, 100), chunks=(50, 1))
    with pytest.raises(ValueError, match=r"chunked across its columns.*X\.rechunk\(\{1: -1\}\)"):
        GaussianMixture(2).fit(X)


def test_non_float_dtype(rng):
    X = da.from_array(np.arange(200).reshape(100, 2), chunks=(50, -1))
    with pytest.raises(TypeError, match=r"floating-point dtype, got int64.*astype"):
        GaussianMixture(2).fit(X)


def test_block_dtype_differs_from_declared(client, rng):
    X = da.from_array(mixture_data(rng, 100), chunks=(50, -1))
    lying = X.map_blocks(lambda b: b.astype(np.float32), dtype=np.float64)
    with pytest.raises(TypeError, match=r"declares dtype float64 but block [01] .* float32"):
        GaussianMixture(2).fit(lying)


def test_other_input_errors(rng):
    X = da.from_array(mixture_data(rng, 100), chunks=(50, -1))
    with pytest.raises(ValueError, match="2-D"):
        GaussianMixture(2).fit(X[:, 0])
    with pytest.raises(ValueError, match="n_samples=3 is smaller than n_components=4"):
        GaussianMixture(4).fit(X[:3])
    with pytest.raises(ValueError, match="solver='direct' needs the data in memory"):
        GaussianMixture(2, solver="direct").fit(X)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        GaussianMixture(2).fit(X[X[:, 0] > 0])
    gm = GaussianMixture(2).fit(X)
    with pytest.raises(ValueError, match="3 features, but the mixture was fitted with 2"):
        score_dask(gm, da.concatenate([X, X[:, :1]], axis=1).rechunk({1: -1}))
