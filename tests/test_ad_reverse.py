"""Reverse mode: grad, vjp, Jacobians, Hessians, the numpy API, ops and the tape.

References: complex-step Jacobians of the plain numpy function (exact to
rounding), central differences where a function is not complex-safe, scipy
(special.logsumexp, linalg.solve_triangular, stats.multivariate_normal) and
closed forms.
"""

import numpy as np
import pytest
import scipy.linalg
import scipy.special
from mixgrad import ad
from mixgrad.ad import (
    grad,
    hessian,
    jacobian,
    jacobian_fwd,
    jacobian_rev,
    trace_tape,
    value_and_grad,
    vjp,
)
from scipy.stats import multivariate_normal

H = 1e-30
RNG = np.random.default_rng(7)
A34 = RNG.normal(size=(3, 4))
B4 = RNG.normal(size=4)


def complex_step_jacobian(f, x):
    x = np.asarray(x, dtype=float)
    y = np.asarray(f(x.astype(complex)))
    jac = np.zeros(y.shape + x.shape)
    for j in np.ndindex(x.shape):
        xc = x.astype(complex)
        xc[j] += 1j * H
        jac[(Ellipsis, *j)] = np.imag(f(xc)) / H
    return jac


def central_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    y = np.asarray(f(x))
    jac = np.zeros(y.shape + x.shape)
    for j in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[j] = eps
        jac[(Ellipsis, *j)] = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * eps)
    return jac


# numpy functions on a (3, 4) input; "cs" = complex-step reference, "cd" = central
NUMPY_CASES = {
    "sum_axis": ("cs", lambda x: np.sum(np.sin(x) * x, axis=0)),
    "mean_keepdims": ("cs", lambda x: np.mean(np.exp(x), axis=1, keepdims=True) * x),
    "matmul_chain": ("cs", lambda x: A34.T @ x @ B4),
    "transpose": ("cs", lambda x: np.transpose(x * x)[1]),
    "reshape_slice": ("cs", lambda x: np.reshape(np.cos(x), (4, 3))[::2, 1:]),
    "concatenate": ("cs", lambda x: np.concatenate([x, np.sin(x), A34], axis=1)),
    "stack": ("cs", lambda x: np.stack([x, A34, x * A34], axis=1)),
    "where": ("cs", lambda x: np.where(A34 > 0, x**2, np.tanh(x))),
    "broadcast_to": ("cs", lambda x: np.broadcast_to(x[0], (2, 4)) * x[1]),
    "einsum": ("cs", lambda x: np.einsum("ij,kj->ik", x, A34)),
    "einsum_sum": ("cs", lambda x: np.einsum("ij->", x) * x),
    "einsum_implicit": ("cs", lambda x: np.einsum("ij,kj", x, A34 * x)),
    "integer_index": ("cs", lambda x: x[[0, 2, 2], [1, 1, 3]] * x[:, [3, 0]].sum()),
    "bool_index": ("cs", lambda x: x[A34 > 0] * 2),
    "newaxis_ellipsis": ("cs", lambda x: x[None, ..., -1] * x[..., None, 0]),
    "diagonal": ("cs", lambda x: np.diagonal(x[:, :3] @ x[:, :3].T)),
    "diagonal_offset": ("cs", lambda x: np.diagonal(x, offset=1)),
    "trace": ("cs", lambda x: np.trace(x[:, 1:]) * x),
    "tril_triu": ("cs", lambda x: np.tril(x, -1) + np.triu(x, 2)),
    "swapaxes": ("cs", lambda x: np.swapaxes(x[None], 0, 2).sum(axis=1)),
    "moveaxis": ("cs", lambda x: np.moveaxis(x[:, :, None] * np.ones(2), 2, 0)[1]),
    "squeeze_expand": ("cs", lambda x: np.squeeze(np.expand_dims(x[:, :1], (0, 2)))),
    "dot": ("cs", lambda x: np.dot(x, B4) + np.dot(B4, x.T)),
    "outer": ("cs", lambda x: np.outer(x[0], x[1])),
    "hstack_vstack": ("cs", lambda x: np.vstack([x[0], np.hstack([x[1, :2], x[2, 2:]])])),
    "diag_1d": ("cs", lambda x: np.diag(x[0], k=1)),
    "power_traced_exponent": ("cs", lambda x: (1.5 + np.sin(x)) ** np.cos(x)),
    "max_min": ("cd", lambda x: np.max(x, axis=0) - np.min(x * x)),
    "maximum_clip": ("cd", lambda x: np.maximum(x, 0.1) + np.clip(x, -0.5, 0.5)),
    "var_std": ("cd", lambda x: np.var(x, axis=0) + np.std(x)),
    "norm": ("cd", lambda x: np.linalg.norm(x, axis=1)),
    "arctan2_hypot": ("cd", lambda x: np.arctan2(x, 2.0 + x * x) + np.hypot(x, 1.0)),
    "logaddexp": ("cd", lambda x: np.logaddexp(x, x[0])),
    "abs": ("cd", lambda x: np.abs(x) * x),
}


@pytest.mark.parametrize("name", list(NUMPY_CASES))
def test_numpy_api_in_both_modes(name, rng):
    kind, f = NUMPY_CASES[name]
    x = rng.normal(size=(3, 4))
    x[np.abs(x) < 0.05] = 0.3  # keep away from the kinks of abs/max/clip
    reference = complex_step_jacobian(f, x) if kind == "cs" else central_jacobian(f, x)
    tol = 1e-13 if kind == "cs" else 1e-8
    np.testing.assert_allclose(jacobian_fwd(f)(x), reference, atol=tol)
    np.testing.assert_allclose(jacobian_rev(f)(x), reference, atol=tol)


def test_grad_closed_forms():
    assert grad(lambda x: x**3)(2.0) == pytest.approx(12.0)
    x = np.array([0.3, -1.0, 2.0])
    np.testing.assert_allclose(grad(lambda x: np.sum(np.exp(x)))(x), np.exp(x))
    np.testing.assert_allclose(grad(lambda x: np.sum(x * x) / 2)(x), x)
    # gradient of a constant is zero, of the right shape
    np.testing.assert_array_equal(grad(lambda x: 3.0)(x), np.zeros(3))


def test_value_and_grad_and_argnums(rng):
    W = rng.normal(size=(2, 3))

    def f(x, y, scale):
        return scale * np.sum(np.tanh(W @ x) * y)

    x, y = rng.normal(size=3), rng.normal(size=2)
    value, (gx, gy) = value_and_grad(f, argnums=(0, 1))(x, y, 2.0)
    assert value == pytest.approx(f(x, y, 2.0))
    t = np.tanh(W @ x)
    np.testing.assert_allclose(gy, 2.0 * t, rtol=1e-14)
    np.testing.assert_allclose(gx, 2.0 * W.T @ ((1 - t**2) * y), rtol=1e-14)
    np.testing.assert_allclose(grad(f, argnums=-2)(x, y, 2.0), gy)
    assert grad(f, argnums=2)(x, y, 2.0) == pytest.approx(f(x, y, 1.0))


def test_vjp_pullback_is_transposed_jacobian(rng):
    def f(x):
        return np.sin(A34 @ x) * x[0]

    x = rng.normal(size=4)
    y, pullback = vjp(f, x)
    J = complex_step_jacobian(f, x)
    np.testing.assert_allclose(y, f(x))
    for _ in range(2):  # the tape can be swept several times
        u = rng.normal(size=3)
        np.testing.assert_allclose(pullback(u), u @ J, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("mode", ["auto", "fwd", "rev"])
@pytest.mark.parametrize("n_out", [1, 2, 6])
def test_jacobian_modes_agree(mode, n_out, rng):
    M = rng.normal(size=(n_out, 4))

    def f(x):
        return np.cos(M @ x) * np.sum(x)

    x = rng.normal(size=4)
    np.testing.assert_allclose(jacobian(f, mode=mode)(x), complex_step_jacobian(f, x), atol=1e-13)


# --- broadcasting: adjoints summed back to the operand shapes ---------------------
SHAPE_PAIRS = [((3, 1), (1, 4)), ((), (2, 3)), ((2, 3), ()), ((4,), (2, 3, 4)), ((2, 1, 3), (4, 1))]


@pytest.mark.parametrize(("sx", "sy"), SHAPE_PAIRS)
def test_broadcast_adjoints_closed_form(sx, sy, rng):
    x, y = rng.normal(size=sx) + 2.0, rng.normal(size=sy) + 2.0
    W = rng.normal(size=np.broadcast_shapes(sx, sy))

    def reduce_to(g, shape):
        """Closed form: sum over the broadcast axes."""
        extra = g.ndim - len(shape)
        g = g.sum(axis=tuple(range(extra)))
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
        return g.sum(axis=axes, keepdims=True).reshape(shape)

    gx, gy = grad(lambda a, b: np.sum(W * (a + b)), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, reduce_to(W, sx), rtol=1e-13)
    np.testing.assert_allclose(gy, reduce_to(W, sy), rtol=1e-13)
    gx, gy = grad(lambda a, b: np.sum(W * (a * b)), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, reduce_to(W * np.broadcast_to(y, W.shape), sx), rtol=1e-12)
    np.testing.assert_allclose(gy, reduce_to(W * np.broadcast_to(x, W.shape), sy), rtol=1e-12)
    gx, gy = grad(lambda a, b: np.sum(W * (a / b - a)), argnums=(0, 1))(x, y)
    bx, by = np.broadcast_arrays(x, y)
    np.testing.assert_allclose(gx, reduce_to(W * (1 / by - 1), sx), rtol=1e-12)
    np.testing.assert_allclose(gy, reduce_to(-W * bx / by**2, sy), rtol=1e-12)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_and_mean_over_axes(axis, keepdims, rng):
    x = rng.normal(size=(2, 3, 4))
    W = rng.normal(size=np.sum(x, axis=axis, keepdims=keepdims).shape)
    g = grad(lambda x: np.sum(W * np.sum(x, axis=axis, keepdims=keepdims)))(x)
    # closed form: W put back on the reduced axes and broadcast
    expanded = W if keepdims or axis is None else np.expand_dims(W, axis)
    expected = np.broadcast_to(expanded, x.shape)
    np.testing.assert_allclose(g, expected)
    count = x.size / W.size
    gm = grad(lambda x: np.sum(W * np.mean(x, axis=axis, keepdims=keepdims)))(x)
    np.testing.assert_allclose(gm, expected / count)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 1)),
    ((3,), (5, 3, 2)),
]  # fmt: skip


@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES)
def test_matmul_shapes_both_modes(sa, sb, rng):
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    W = rng.normal(size=np.shape(a @ b))
    ga, gb = grad(lambda a, b: np.sum(W * (a @ b)), argnums=(0, 1))(a, b)
    ref_a = complex_step_jacobian(lambda a: np.sum(W * (a @ b)), a)
    ref_b = complex_step_jacobian(lambda b: np.sum(W * (a @ b)), b)
    np.testing.assert_allclose(ga, ref_a, atol=1e-13)
    np.testing.assert_allclose(gb, ref_b, atol=1e-13)
    Ja = jacobian_fwd(lambda a: a @ b)(a)  # several directions through matmul
    np.testing.assert_allclose(Ja, complex_step_jacobian(lambda a: a @ b, a), atol=1e-13)
    Jb = jacobian_fwd(lambda b: a @ b)(b)
    np.testing.assert_allclose(Jb, complex_step_jacobian(lambda b: a @ b, b), atol=1e-13)


def test_integer_index_accumulates_repeated_entries():
    x = np.array([1.0, 2.0, 3.0])
    g = grad(lambda x: np.sum(x[[0, 0, 2, 0]] * np.array([1.0, 2.0, 3.0, 4.0])))(x)
    np.testing.assert_array_equal(g, [7.0, 0.0, 3.0])  # np.add.at semantics


# --- differentiable ops -----------------------------------------------------------
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_logsumexp_softmax_against_scipy(axis, rng):
    a = rng.normal(size=(3, 5)) * 10
    np.testing.assert_allclose(ad.logsumexp(a, axis=axis), scipy.special.logsumexp(a, axis=axis))
    np.testing.assert_allclose(ad.softmax(a, axis=axis), scipy.special.softmax(a, axis=axis))
    np.testing.assert_allclose(
        ad.log_softmax(a, axis=axis), scipy.special.log_softmax(a, axis=axis), atol=1e-12
    )
    W = rng.normal(size=np.shape(scipy.special.logsumexp(a, axis=axis)))
    g = grad(lambda a: np.sum(W * ad.logsumexp(a, axis=axis)))(a)
    soft = scipy.special.softmax(a, axis=axis)  # closed form: d lse / da = softmax
    expected = soft * (np.expand_dims(W, axis) if axis is not None else W)
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gradient_fwd_sum(W, a, axis), expected, rtol=1e-12, atol=1e-15)


def gradient_fwd_sum(W, a, axis):
    return ad.gradient_fwd(lambda a: np.sum(W * ad.logsumexp(a, axis=axis)))(a)


def test_logsumexp_handles_large_and_infinite_entries():
    assert ad.logsumexp(np.array([1000.0, 1000.0])) == pytest.approx(1000.0 + np.log(2.0))
    assert ad.logsumexp(np.array([-np.inf, 0.0])) == 0.0


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize(("sL", "sb"), [((3, 3), (3,)), ((3, 3), (3, 2)), ((4, 3, 3), (4, 3, 2)),
                                        ((4, 3, 3), (3, 5)), ((3, 3), (2, 3, 1))])
def test_solve_triangular_values_and_gradients(lower, sL, sb, rng):
    tri = np.tril if lower else np.triu
    L = tri(rng.normal(size=sL)) + 3.0 * np.eye(sL[-1])
    b = rng.normal(size=sb)
    z = ad.solve_triangular(L, b, lower=lower)

    def reference(L, b):  # scipy's LAPACK solve (complex-safe), one batch element at a time
        if b.ndim == 1:
            return scipy.linalg.solve_triangular(L, b, lower=lower)
        batch = np.broadcast_shapes(L.shape[:-2], b.shape[:-2])
        Lb = np.broadcast_to(L, batch + L.shape[-2:])
        bb = np.broadcast_to(b, batch + b.shape[-2:])
        out = [scipy.linalg.solve_triangular(Lb[i], bb[i], lower=lower) for i in np.ndindex(batch)]
        return np.reshape(out, batch + b.shape[-2:])

    np.testing.assert_allclose(z, reference(L, b), rtol=1e-12)
    W = rng.normal(size=z.shape)
    loss = lambda L, b: np.sum(W * ad.solve_triangular(L, b, lower=lower))  # noqa: E731
    gL, gb = grad(loss, argnums=(0, 1))(L, b)
    refL = complex_step_jacobian(lambda L: np.sum(W * reference(L, b)), L)
    refb = complex_step_jacobian(lambda b: np.sum(W * reference(L, b)), b)
    np.testing.assert_allclose(gL, tri(refL), atol=1e-12)  # only the triangle is read
    np.testing.assert_allclose(gb, refb, atol=1e-12)
    fL = ad.gradient_fwd(lambda L: loss(L, b))(L)
    np.testing.assert_allclose(fL, gL, atol=1e-12)


def test_log_det_cholesky_against_slogdet(rng):
    L = np.tril(rng.normal(size=(3, 4, 4)))
    L[:, range(4), range(4)] = np.abs(L[:, range(4), range(4)]) + 0.5
    _, logdet = np.linalg.slogdet(L @ np.swapaxes(L, -1, -2))
    np.testing.assert_allclose(ad.log_det_cholesky(L), logdet / 2, rtol=1e-13)
    g = grad(lambda L: np.sum(ad.log_det_cholesky(L)))(L)
    expected = np.zeros_like(L)
    expected[:, range(4), range(4)] = 1 / L[:, range(4), range(4)]
    np.testing.assert_allclose(g, expected, rtol=1e-14)


# --- the Gaussian-mixture log-likelihood ------------------------------------------
def random_mixture(rng, n=40, d=3, k=2):
    X = rng.normal(size=(n, d))
    means = rng.normal(size=(k, d))
    log_weights = rng.normal(size=k)
    chol = np.tril(rng.normal(size=(k, d, d)) * 0.3)
    chol[:, range(d), range(d)] = np.abs(chol[:, range(d), range(d)]) + 0.7
    return X, means, log_weights, chol


def scipy_loglik(X, means, log_weights, chol):
    """Independent reference: scipy densities of the full covariances L L^T."""
    chol = np.tril(chol)
    log_prob = np.stack([
        multivariate_normal(means[j], chol[j] @ chol[j].T).logpdf(X) for j in range(len(means))
    ])  # fmt: skip
    log_prob += scipy.special.log_softmax(log_weights)[:, None]
    return np.mean(scipy.special.logsumexp(log_prob, axis=0))


def test_gmm_loglik_matches_scipy(rng):
    params = random_mixture(rng)
    assert ad.gmm_loglik(*params) == pytest.approx(scipy_loglik(*params), rel=1e-13)


def test_gmm_loglik_gradient_against_central_differences(rng):
    X, means, log_weights, chol = random_mixture(rng)
    value, (g_means, g_logw, g_chol) = value_and_grad(ad.gmm_loglik, argnums=(1, 2, 3))(
        X, means, log_weights, chol
    )
    assert value == pytest.approx(scipy_loglik(X, means, log_weights, chol), rel=1e-13)
    ref = central_jacobian(lambda m: scipy_loglik(X, m, log_weights, chol), means)
    np.testing.assert_allclose(g_means, ref, atol=1e-8)
    ref = central_jacobian(lambda w: scipy_loglik(X, means, w, chol), log_weights)
    np.testing.assert_allclose(g_logw, ref, atol=1e-8)
    ref = central_jacobian(lambda c: scipy_loglik(X, means, log_weights, c), chol)
    np.testing.assert_allclose(g_chol, ref, atol=1e-8)
    assert np.all(np.triu(g_chol, 1) == 0.0)  # the upper triangle is ignored
    # forward mode agrees with reverse mode to rounding
    f_chol = ad.gradient_fwd(lambda c: ad.gmm_loglik(X, means, log_weights, c))(chol)
    np.testing.assert_allclose(f_chol, g_chol, rtol=1e-12, atol=1e-14)


def test_gmm_loglik_hessian_against_differences_of_the_gradient(rng):
    X, means, log_weights, chol = random_mixture(rng, n=15, d=2, k=2)
    f = lambda m: ad.gmm_loglik(X, m, log_weights, chol)  # noqa: E731
    Hm = hessian(f)(means)
    assert Hm.shape == (2, 2, 2, 2)
    ref = central_jacobian(grad(f), means)
    np.testing.assert_allclose(Hm, ref, atol=1e-7)
    np.testing.assert_allclose(Hm.reshape(4, 4), Hm.reshape(4, 4).T, atol=1e-13)


# --- Hessians -----------------------------------------------------------------------
def test_hessian_of_quadratic_form(rng):
    A = rng.normal(size=(4, 4))
    H = hessian(lambda x: x @ A @ x)(rng.normal(size=4))
    np.testing.assert_allclose(H, A + A.T, rtol=1e-14)


def test_hessian_of_rosenbrock_closed_form():
    x = np.array([0.5, -0.3, 1.2])
    rosen = lambda x: np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)  # noqa: E731
    expected = np.zeros((3, 3))  # closed form of the Hessian
    for i in range(2):
        expected[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        expected[i, i + 1] = expected[i + 1, i] = -400 * x[i]
        expected[i + 1, i + 1] += 200
    np.testing.assert_allclose(hessian(rosen)(x), expected, rtol=1e-13)


def test_hessian_matches_differences_of_gradient_and_other_orders(rng):
    b = rng.normal(size=4)

    def f(x):
        return ad.logsumexp(x * b) + np.sum(np.sin(x) * x[::-1]) + np.max(x * x)

    x = rng.normal(size=4)
    H = hessian(f)(x)
    np.testing.assert_allclose(H, central_jacobian(grad(f), x, eps=1e-5), atol=1e-8)
    np.testing.assert_allclose(jacobian_rev(grad(f))(x), H, atol=1e-13)  # reverse-over-reverse
    np.testing.assert_allclose(jacobian_fwd(ad.gradient_fwd(f))(x), H, atol=1e-13)


def test_hessian_shape_for_matrix_input(rng):
    X = rng.normal(size=(2, 3))
    H = hessian(lambda X: np.sum(X**3))(X)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H.reshape(6, 6), np.diag(6 * X.ravel()))


# --- the tape ------------------------------------------------------------------------
def test_trace_tape_lists_array_nodes():
    tape = trace_tape(lambda x: np.sum(np.sin(x) * x), np.arange(3.0))
    assert [node.name for node in tape.nodes] == [
        "input", "numpy.sin", "numpy.multiply", "numpy.sum",
    ]  # fmt: skip
    assert [node.shape for node in tape.nodes] == [(3,), (3,), (3,), ()]
    assert len(tape) == 4 and tape.nodes[2].parents == ((0, 1), (1, 0))
    summary = tape.summary()
    assert summary.splitlines()[-1] == f"the tape has 4 nodes holding {tape.nbytes} bytes"
    assert repr(tape) == f"<Tape: 4 nodes holding {tape.nbytes} bytes>"


def test_tape_keeps_only_what_the_rules_read():
    x = np.ones(1000)
    # adds and sums need shapes only: just the input's 8000 bytes are held
    lean = trace_tape(lambda x: np.sum((x + 1.0) + 2.0), x)
    assert 8000 <= lean.nbytes < 8100
    # exp keeps its result and multiply its operands (x and exp(x)), not the product
    held = trace_tape(lambda x: np.sum(np.exp(x) * x), x)
    assert 16000 <= held.nbytes < 16100
