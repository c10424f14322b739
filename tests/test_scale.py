"""EM on dask arrays (mixgrad.mixture.scale): equal to the in-memory fit, clear errors."""

import logging
import math
import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask[array] is not installed (extra 'scale')")
distributed = pytest.importorskip("distributed", reason="distributed is not installed")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from mixgrad.exceptions import ConvergenceWarning  # noqa: E402
from mixgrad.mixture import GaussianMixture  # noqa: E402
from mixgrad.mixture.incremental import IncrementalEM  # noqa: E402
from mixgrad.mixture.scale import DaskEM, score_dask  # noqa: E402
from mixgrad.mixture.stats import StatsEM  # noqa: E402
from mixgrad.mixture.stepwise import (  # noqa: E402
    MiniBatchGaussianMixture,
    check_step_schedule,
    step_size,
)

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


# --- stepwise (mini-batch) EM -------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_stepwise_approaches_the_batch_fit(rng, covariance_type):
    """After 3 passes the mean log-likelihood is within 1e-3 nats of batch EM's (a local
    maximum, so the gap is >= 0) and closer than after the first pass."""
    X = mixture_data(rng, 12_000)
    batch = GaussianMixture(3, covariance_type=covariance_type, random_state=0, tol=1e-10,
                            max_iter=300).fit(X)
    mb = MiniBatchGaussianMixture(3, covariance_type=covariance_type, random_state=0,
                                  batch_size=500, max_iter=1, warm_start=True)
    gaps = [batch.score(X) - mb.fit(X).score(X) for _ in range(3)]
    assert -1e-9 < gaps[-1] < 1e-3
    assert gaps[-1] < gaps[0]
    assert mb.n_steps_ == 3 * 24


def test_partial_fit_steps_and_dask_batches(rng):
    X = mixture_data(rng, 3000)
    a = MiniBatchGaussianMixture(3, random_state=0)
    b = MiniBatchGaussianMixture(3, random_state=0, batch_size=1000, max_iter=1)
    for start in range(0, 3000, 1000):
        a.partial_fit(X[start : start + 1000])
    b.fit(da.from_array(X, chunks=(1000, -1)))
    np.testing.assert_allclose(b.means_, a.means_, rtol=1e-13)
    assert a.n_steps_ == 3 and a.n_features_in_ == 2
    # one step from the first batch's start: s_1 = (1 - rho_1) s_0 + rho_1 s(B_1)
    rho = step_size(1, 0.6, 1.0)
    assert rho == pytest.approx(2**-0.6)


@pytest.mark.parametrize(("decay", "offset", "error", "match"), [
    (0.5, 1.0, ValueError, r"learning_decay \(kappa\) must be in \(0\.5, 1\], got 0\.5"),
    (1.2, 1.0, ValueError, r"must sum to infinity"),
    (0.7, -1.0, ValueError, r"learning_offset \(t0\) must be >= 0, got -1\.0"),
    ("fast", 1.0, TypeError, "learning_decay must be a real number"),
])
def test_step_schedule_validation(rng, decay, offset, error, match):
    with pytest.raises(error, match=match):
        check_step_schedule(decay, offset)
    with pytest.raises(error, match=match):
        MiniBatchGaussianMixture(2, learning_decay=decay,
                                 learning_offset=offset).partial_fit(mixture_data(rng, 60))


def test_partial_fit_first_batch_too_small(rng):
    with pytest.raises(ValueError, match="first batch has 2 samples, fewer than n_components=3"):
        MiniBatchGaussianMixture(3).partial_fit(mixture_data(rng, 2))


# --- incremental EM (Neal and Hinton) -----------------------------------------------------


def start_params(X, covariance_type, seed=0):
    gm = GaussianMixture(3, covariance_type=covariance_type, max_iter=1, random_state=seed,
                         init_params="random_from_data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X)._current_params()


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_incremental_with_one_block_is_batch_em(rng, covariance_type):
    X = mixture_data(rng, 600)
    params = start_params(X, covariance_type)
    inc = IncrementalEM(X, 3, covariance_type, 1e-6, n_blocks=1)
    got = inc.run(params, n_sweeps=3)
    engine, elbos = StatsEM(X, 3, covariance_type, 1e-6), []
    for _ in range(4):
        params, info = engine.step(params)
        elbos.append(info["elbo_m_step"])
    for a, b in zip(got, params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(inc.bounds, elbos, rtol=1e-12)


@settings(max_examples=25)
@given(seed=st.integers(0, 2**16), n_blocks=st.integers(2, 8),
       covariance_type=st.sampled_from(COVARIANCE_TYPES))
def test_incremental_bound_never_decreases(seed, n_blocks, covariance_type):
    """Each partial E-step and each M-step raise F(q, theta) (Neal and Hinton 1998);
    with reg_covar = 0 the M-step is the exact maximiser, so only rounding may lower it."""
    rng = np.random.default_rng(seed)
    X = mixture_data(rng, 240)
    inc = IncrementalEM(X, 3, covariance_type, 0.0, n_blocks=n_blocks)
    inc.run(start_params(X, covariance_type, seed), n_sweeps=2, rng=rng)
    bounds = np.array(inc.bounds)
    assert len(bounds) == 1 + 2 * n_blocks
    assert np.all(np.diff(bounds) >= -1e-12 * (1 + np.abs(bounds[:-1])))


def test_incremental_input_errors(rng):
    X = mixture_data(rng, 30)
    with pytest.raises(ValueError, match=r"n_blocks must be in \[1, n_samples=30\], got 31"):
        IncrementalEM(X, 3, "full", 1e-6, n_blocks=31)
    with pytest.raises(RuntimeError, match=r"call start\(params\) first"):
        IncrementalEM(X, 3, "full", 1e-6, n_blocks=3).step(start_params(X, "full"), 0)
