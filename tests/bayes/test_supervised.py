"""Tests of mixgrad.bayes.supervised: log-densities against scipy, errors, a short run."""

import mixgrad.bayes as mb
import numpy as np
import pytest
from arviz_base import from_dict
from mixgrad.bayes.priors import weakly_informative_priors
from mixgrad.bayes.supervised import (
    check_complete_labels,
    class_probability_draws,
    supervised_mixture,
)
from mixgrad.datasets import heights
from mixgrad.mixture import GaussianMixtureClassifier, sample_mixture
from scipy import stats

pm = pytest.importorskip("pymc")
pt = pytest.importorskip("pytensor.tensor")


def _transformed_point(model, values):
    """Values on the constrained scale -> the point of value variables that logp expects."""
    point = {}
    for name, value in values.items():
        rv = model[name]
        transform = model.rvs_to_transforms.get(rv)
        value_var = model.rvs_to_values[rv]
        if transform is None:
            point[value_var.name] = np.asarray(value, dtype=float)
        else:
            point[value_var.name] = transform.forward(
                pt.as_tensor(np.asarray(value, dtype=float)), *rv.owner.inputs).eval()
    return point


def _deterministic(model, name, point):
    """Value of a Deterministic at a point of value variables."""
    (out,) = model.replace_rvs_by_values([model[name]])
    inputs = [v for v in model.value_vars if v.name in point]
    return model.compile_fn(out, inputs=inputs, mode="FAST_COMPILE")(point)


@pytest.fixture
def data_1d():
    x, z, _ = heights(60, rng=np.random.default_rng(3))
    return x, z


@pytest.fixture
def data_2d():
    means = np.array([[0.0, 0.0], [3.0, 2.0]])
    cov = np.array([[[1.0, 0.5], [0.5, 1.0]], [[0.6, -0.2], [-0.2, 0.8]]])
    X, z = sample_mixture(50, [0.4, 0.6], means, cov, rng=np.random.default_rng(4))
    return X, z


# --- log-densities ---------------------------------------------------------------------


def test_1d_model_logp_equals_the_hand_computed_joint_density(data_1d):
    x, z = data_1d
    model = supervised_mixture(x, z)
    priors = weakly_informative_priors(x, 2)
    w, mu, sigma = np.array([0.45, 0.55]), np.array([160.0, 180.0]), np.array([6.0, 8.0])
    point = _transformed_point(model, {"weights": w, "means": mu, "sigmas": sigma})
    logp = model.compile_logp(jacobian=False, mode="FAST_COMPILE")(point)
    expected = (
        stats.dirichlet(priors.concentration).logpdf(w)
        + stats.norm(priors.mean_loc[0], priors.mean_scale[0]).logpdf(mu).sum()
        + stats.halfnorm(scale=priors.sigma_scale[0]).logpdf(sigma).sum()
        + np.log(w[z]).sum()
        + stats.norm(mu[z], sigma[z]).logpdf(x).sum()
    )
    assert logp == pytest.approx(expected, rel=1e-8)


def test_1d_observed_term_alone_is_the_class_conditional_likelihood(data_1d):
    x, z = data_1d
    model = supervised_mixture(x, z)
    mu, sigma = np.array([150.0, 190.0]), np.array([5.0, 9.0])
    point = _transformed_point(model, {"weights": [0.5, 0.5], "means": mu, "sigmas": sigma})
    logp_x = model.compile_logp(vars=[model["x"]], jacobian=False, mode="FAST_COMPILE")(point)
    assert logp_x == pytest.approx(stats.norm(mu[z], sigma[z]).logpdf(x).sum(), rel=1e-10)


def test_2d_observed_term_equals_scipy_multivariate_normal(data_2d):
    X, z = data_2d
    model = supervised_mixture(X, z)
    chols = [np.array([[1.2, 0.0], [0.4, 0.7]]), np.array([[0.5, 0.0], [-0.3, 0.9]])]
    mu = np.array([[0.1, -0.2], [2.8, 2.1]])
    values = {"weights": [0.3, 0.7], "means": mu}
    values |= {f"chol_{j}": L[np.tril_indices(2)] for j, L in enumerate(chols)}
    point = _transformed_point(model, values)
    logp = model.compile_logp(vars=[model["x"], model["z"]], jacobian=False,
                              mode="FAST_COMPILE")(point)
    expected = np.log(np.array([0.3, 0.7])[z]).sum() + sum(
        stats.multivariate_normal(mu[j], chols[j] @ chols[j].T).logpdf(X[z == j]).sum()
        for j in range(2))
    assert logp == pytest.approx(expected, rel=1e-8)
    chol_point = {key: value for key, value in point.items() if key.startswith("chol_")}
    covariances = _deterministic(model, "covariances", chol_point)
    assert np.allclose(covariances, [L @ L.T for L in chols])
    sigmas = _deterministic(model, "sigmas", chol_point)
    assert np.allclose(sigmas, [np.sqrt(np.diag(L @ L.T)) for L in chols])


def test_model_structure_and_names(data_1d, data_2d):
    model = supervised_mixture(*data_1d)
    assert [rv.name for rv in model.free_RVs] == ["weights", "means", "sigmas"]
    assert [rv.name for rv in model.observed_RVs] == ["z", "x"]
    assert model.named_vars_to_dims["means"] == ("component",)
    model = supervised_mixture(*data_2d, n_components=3)
    assert [rv.name for rv in model.free_RVs] == ["weights", "means", "chol_0", "chol_1",
                                                  "chol_2"]
    assert {"covariances", "sigmas"} <= set(model.named_vars)
    assert model.named_vars_to_dims["covariances"] == ("component", "feature", "feature_col")
    # the empty third class starts at the prior centre, the others at their class means
    start = model.initial_point()["means"]
    X, z = data_2d
    assert np.allclose(start[:2], [X[z == 0].mean(0), X[z == 1].mean(0)])
    assert np.allclose(start[2], X.mean(0))


def test_a_single_column_gives_the_univariate_model(data_1d):
    x, z = data_1d
    model = supervised_mixture(x[:, None], z)
    assert "sigmas" in [rv.name for rv in model.free_RVs]


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize("z, k, exc, match", [
    ([0, 1, -1, 1], None, ValueError, r"z contains -1 \(unlabelled\) for 1 points"),
    ([0, 1, 2, 1], 2, ValueError, r"z must lie in \[-1, 2\)"),
    ([0, 1, 1], None, ValueError, r"one entry per sample \(4\)"),
    ([0.0, 1.5, 1.0, 0.0], None, ValueError, "z must hold integer component indices"),
    ([0, 1, 1, 0], 0, ValueError, "n_components must be >= 1"),
    ([0, 1, 1, 0], 2.0, TypeError, "n_components must be an integer"),
])
def test_labels_are_checked(z, k, exc, match):
    with pytest.raises(exc, match=match):
        supervised_mixture([1.0, 2.0, 3.0, 4.0], z, k)


def test_default_number_of_components_is_the_largest_label_plus_one():
    labels, k = check_complete_labels(np.array([0, 2, 2, 1]), 4)
    assert k == 3 and labels.dtype == np.intp


@pytest.mark.parametrize("X, z, kwargs, exc, match", [
    ([1.0, np.nan, 3.0], [0, 1, 0], {}, ValueError, "X contains NaN"),
    ([1.0, 2.0], [0, 1], {"n_components": 3}, ValueError,
     "n_components=3 exceeds the number of data points"),
    ([1.0, 2.0, 3.0], [0, 1, 0], {"priors": {"mean_loc": 0}}, TypeError,
     "priors must be a MixturePriors"),
])
def test_bad_data_and_priors_are_rejected(X, z, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        supervised_mixture(X, z, **kwargs)


def test_priors_for_another_shape_are_rejected(data_1d):
    x, z = data_1d
    with pytest.raises(ValueError, match="priors are for 3 components and 1 features"):
        supervised_mixture(x, z, priors=weakly_informative_priors(x, 3))


# --- class probabilities from posterior draws -----------------------------------------------


def _posterior(**values):
    return from_dict({"posterior": {k: np.asarray(v)[None] for k, v in values.items()}})


def test_class_probabilities_are_bayes_rule_per_draw_1d():
    w = np.array([[0.3, 0.7], [0.6, 0.4], [0.5, 0.5]])
    mu = np.array([[0.0, 2.0], [0.5, 3.0], [-1.0, 1.0]])
    s = np.array([[1.0, 0.5], [1.0, 2.0], [0.3, 0.3]])
    x = np.linspace(-2, 4, 7)
    probs = class_probability_draws(_posterior(weights=w, means=mu, sigmas=s), x)
    assert probs.shape == (3, 7, 2)
    for d in range(3):
        joint = w[d] * stats.norm(mu[d], s[d]).pdf(x[:, None])
        assert np.allclose(probs[d], joint / joint.sum(1, keepdims=True))
    assert class_probability_draws(_posterior(weights=w, means=mu, sigmas=s), x,
                                   max_draws=2).shape == (2, 7, 2)


def test_class_probabilities_match_the_mixture_estimator_2d(data_2d):
    X, z = data_2d
    fit = GaussianMixtureClassifier().fit(X, z)
    idata = _posterior(weights=fit.weights_[None], means=fit.means_[None],
                       covariances=fit.covariances_[None])
    probs = class_probability_draws(idata, X)
    assert np.allclose(probs[0], fit.predict_proba(X), atol=1e-10)
    with pytest.raises(ValueError, match="X has 1 features but the posterior means have 2"):
        class_probability_draws(idata, X[:, 0])
    with pytest.raises(ValueError, match="max_draws must be a positive integer"):
        class_probability_draws(idata, X, max_draws=0)


# --- a short sampling run ------------------------------------------------------------------


def test_short_run_recovers_the_parameters_and_the_conjugate_weights():
    x, z, truth = heights(300, rng=np.random.default_rng(8))
    idata = mb.sample(supervised_mixture(x, z), random_seed=3, draws=300, tune=300, chains=2,
                      cores=1)
    table = mb.posterior_table(idata, ["weights", "means", "sigmas"])
    assert np.allclose(table.loc[["means[0]", "means[1]"], "mean"], truth["means"], atol=2.0)
    assert np.allclose(table.loc[["sigmas[0]", "sigmas[1]"], "mean"],
                       np.sqrt(truth["covariances"]), atol=1.5)
    # The weights see only the label counts: Dirichlet(2 + n_0, 2 + n_1) exactly.
    counts = np.bincount(z, minlength=2)
    exact_mean = (2 + counts) / (4 + len(z))
    assert np.allclose(mb.posterior_draws(idata, "weights").mean(0), exact_mean, atol=0.01)
    assert mb.n_divergences(idata) == 0
