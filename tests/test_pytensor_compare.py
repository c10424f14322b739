"""mixgrad.ad.pytensor_compare: graphs agree with mixgrad and closed forms."""

import importlib.util
import os

import pytest

# PyTensor is optional (the `bayes` extra): without it this module is skipped, not an error.
# (Not pytest.importorskip: that would import PyTensor before its flags are set below.)
if importlib.util.find_spec("pytensor") is None:
    pytest.skip("PyTensor is not installed (pip install 'mixgrad[bayes]')", allow_module_level=True)

# No system BLAS in the pip environment: say so explicitly (silences the warning).
_user_flags = os.environ.get("PYTENSOR_FLAGS")
os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, ["blas__ldflags=", _user_flags]))

import numpy as np  # noqa: E402
import pytensor  # noqa: E402
from mixgrad.ad import gmm_loglik, pytensor_compare, value_and_grad  # noqa: E402
from pytensor.compile.mode import Mode  # noqa: E402
from scipy.stats import norm  # noqa: E402


@pytest.fixture(scope="module")
def seed_fn():
    inputs, output = pytensor_compare.seed_function_graph()
    return inputs, output, pytensor_compare.compile_value_and_grad(inputs, output, inputs)


def test_seed_function_matches_closed_form(seed_fn):
    _, _, fn = seed_fn
    for x1, x2 in [(1.5, -0.5), (-0.3, 2.0), (0.0, 0.0)]:
        value, d1, d2 = fn(x1, x2)
        assert abs(value - (x1 * x2 + np.sin(x1))) < 1e-15
        assert abs(d1 - (x2 + np.cos(x1))) < 1e-15
        assert abs(d2 - x1) < 1e-15


def test_rewrites_shrink_the_gradient_graph(seed_fn):
    inputs, output, fn = seed_fn
    grads = pytensor.grad(output, inputs)
    before = pytensor_compare.count_nodes([output, *grads])
    after = pytensor_compare.count_compiled_nodes(fn)
    assert after < before
    assert "Second" not in pytensor_compare.op_counts(fn)  # the seed adjoint 1 is simplified away
    assert "Composite" not in pytensor_compare.op_counts(fn)  # python_mode does not fuse
    fusing = Mode(linker="py", optimizer="fast_run")
    fused = pytensor.function(inputs, [output, *grads], mode=fusing)
    assert pytensor_compare.op_counts(fused)["Composite"] == 1  # everything fused into one loop
    assert "Composite" in pytensor_compare.compiled_graph_text(fused)
    counts = pytensor_compare.op_counts([output, *grads])
    assert sum(counts.values()) == before and counts["Sin"] == 1 and counts["Cos"] == 1
    assert "Sin" in pytensor_compare.compiled_graph_text(fn)
    assert "Cos" in pytensor_compare.graph_text(grads)


def test_gmm_graph_matches_mixgrad(rng):
    inputs, output = pytensor_compare.gmm_loglik_graph()
    fn = pytensor_compare.compile_value_and_grad(inputs, output, inputs[1:])
    X = rng.normal(size=(40, 2))
    means = rng.normal(size=(3, 2))
    log_weights = rng.normal(size=3)
    chol = np.tile(np.eye(2), (3, 1, 1)) + np.tril(rng.normal(scale=0.3, size=(3, 2, 2)), -1)
    value, *grads = fn(X, means, log_weights, chol)
    loglik = value_and_grad(lambda m, lw, L: gmm_loglik(X, m, lw, L), argnums=(0, 1, 2))
    ref_value, ref_grads = loglik(means, log_weights, chol)
    assert abs(value - ref_value) < 1e-12
    for g, r in zip(grads, ref_grads, strict=True):
        assert g.shape == r.shape and np.max(np.abs(g - r)) < 1e-12


def test_mixture_model_logp_matches_scipy(rng):
    x = rng.normal(size=30)
    weights, scales = np.array([0.3, 0.7]), np.array([1.0, 0.5])
    model = pytensor_compare.mixture_model(x, weights, scales)
    logp = model.compile_logp(mode=pytensor_compare.python_mode())
    mu = np.array([-1.0, 0.5])
    ref = np.sum(np.log(weights @ norm.pdf(x[None, :], mu[:, None], scales[:, None])))
    assert abs(logp({"mu": mu}) - ref) < 1e-10


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": np.zeros((2, 2)), "weights": [0.5, 0.5], "scales": [1.0, 1.0]}, "x must have 1"),
        ({"x": np.zeros(3), "weights": [0.5, 0.4], "scales": [1.0, 1.0]}, "sum to 1"),
        ({"x": np.zeros(3), "weights": [0.5, 0.5], "scales": [1.0, -1.0]}, "scales must be pos"),
        ({"x": np.zeros(3), "weights": [0.5, 0.5], "scales": [1.0]}, "same shape"),
    ],
)
def test_mixture_model_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pytensor_compare.mixture_model(**kwargs)


def test_bad_arguments_are_named(seed_fn):
    inputs, output, _ = seed_fn
    with pytest.raises(TypeError, match="inputs must be a non-empty list"):
        pytensor_compare.compile_value_and_grad([], output, inputs)
    with pytest.raises(TypeError, match="wrt must contain PyTensor variables"):
        pytensor_compare.compile_value_and_grad(inputs, output, [1.0])
    with pytest.raises(ValueError, match="output must be a scalar"):
        pytensor_compare.compile_value_and_grad(inputs, pytensor.tensor.stack(inputs), inputs)
    with pytest.raises(ValueError, match="wrt must be a subset"):
        pytensor_compare.compile_value_and_grad(inputs[:1], output, inputs)
    with pytest.raises(TypeError, match="fn must be a compiled pytensor Function"):
        pytensor_compare.count_compiled_nodes(output)
