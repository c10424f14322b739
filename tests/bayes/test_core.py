"""Tests of the core of mixgrad.bayes: PyTensor flags, priors, sampling wrappers, diagnostics."""

import logging

import mixgrad.bayes as mb
import numpy as np
import pytest
from arviz_base import from_dict
from mixgrad.bayes import (
    ConvergenceReport,
    check_data,
    configure_pytensor_flags,
    convergence_report,
    ess_per_second,
    n_divergences,
    posterior_draws,
    posterior_table,
    quiet_pymc,
    weakly_informative_priors,
)
from scipy import stats

pm = pytest.importorskip("pymc")


def _tree(posterior, diverging=None, **stats):
    groups = {"posterior": posterior}
    if diverging is not None:
        stats["diverging"] = diverging
    if stats:
        groups["sample_stats"] = stats
    return from_dict(groups)


# --- PyTensor flags ----------------------------------------------------------------


def test_blas_flag_is_added_to_an_empty_environment():
    env = {}
    assert configure_pytensor_flags(env) == "blas__ldflags=,numba__fastmath=False"
    assert env["PYTENSOR_FLAGS"] == "blas__ldflags=,numba__fastmath=False"


def test_blas_flag_is_prepended_to_other_flags():
    env = {"PYTENSOR_FLAGS": "floatX=float64,compiledir=/tmp/x"}
    assert configure_pytensor_flags(env) == (
        "blas__ldflags=,numba__fastmath=False,floatX=float64,compiledir=/tmp/x"
    )


def test_a_blas_flag_set_by_the_user_is_kept():
    env = {"PYTENSOR_FLAGS": "blas__ldflags=-lopenblas"}
    assert configure_pytensor_flags(env) == "numba__fastmath=False,blas__ldflags=-lopenblas"
    env = {"PYTENSOR_FLAGS": "numba__fastmath=True,blas__ldflags="}
    assert configure_pytensor_flags(env) == "numba__fastmath=True,blas__ldflags="


def test_importing_mixgrad_bayes_set_the_flag_in_this_process():
    import os

    assert "blas__ldflags" in os.environ.get("PYTENSOR_FLAGS", "")


# --- data checks and priors ----------------------------------------------------------


def test_check_data_returns_a_column_for_1d_input():
    X = check_data([1.0, 2.0, 4.0])
    assert X.shape == (3, 1) and X.dtype == np.float64


@pytest.mark.parametrize("X, exc, match", [
    ([1.0, np.nan, 2.0], ValueError, "X contains NaN"),
    ([1.0, np.inf, 2.0], ValueError, "X contains infinite values"),
    (np.zeros((2, 2, 2)), ValueError, r"X must have 1 or 2 dimension\(s\)"),
    ([1.0], ValueError, "X needs at least 2 rows, got 1"),
    ("abc", TypeError, "X must be a numeric array"),
])
def test_check_data_rejects_bad_input(X, exc, match):
    with pytest.raises(exc, match=match):
        check_data(X)


def test_weakly_informative_priors_follow_the_data_scale(rng):
    X = rng.normal([170.0, 70.0], [10.0, 12.0], size=(200, 2))
    priors = weakly_informative_priors(X, 3, concentration=1.5, mean_scale_factor=3.0)
    sd = X.std(axis=0, ddof=1)
    assert np.allclose(priors.mean_loc, X.mean(axis=0))
    assert np.allclose(priors.mean_scale, 3.0 * sd)
    assert np.allclose(priors.sigma_scale, sd)
    assert np.array_equal(priors.concentration, [1.5, 1.5, 1.5])
    assert priors.n_components == 3 and priors.lkj_eta == 2.0
    # initial means: data points at the 1/6, 3/6, 5/6 quantiles of the first coordinate
    assert priors.initial_means.shape == (3, 2)
    assert np.all(np.diff(priors.initial_means[:, 0]) > 0)
    assert np.allclose(priors.initial_means[:, 0], np.quantile(X[:, 0], [1 / 6, 3 / 6, 5 / 6]),
                       atol=3.0)


def test_priors_are_unchanged_by_a_shift_and_scale_of_the_data(rng):
    x = rng.normal(size=100)
    a, b = weakly_informative_priors(x, 2), weakly_informative_priors(10.0 * x + 5.0, 2)
    assert np.allclose(b.mean_loc, 10.0 * a.mean_loc + 5.0)
    assert np.allclose(b.mean_scale, 10.0 * a.mean_scale)
    assert np.allclose(b.sigma_scale, 10.0 * a.sigma_scale)


@pytest.mark.parametrize("args, kwargs, exc, match", [
    (([1.0, 2.0, 3.0], 4), {}, ValueError, "n_components=4 exceeds the number of data points"),
    (([1.0, 2.0, 3.0], 0), {}, ValueError, "n_components must be >= 1"),
    (([1.0, 2.0, 3.0], 2.0), {}, TypeError, "n_components must be an integer"),
    (([[1.0, 5.0], [2.0, 5.0]], 1), {}, ValueError, "X has a constant column"),
    (([1.0, 2.0, 3.0], 2), {"concentration": -1.0}, ValueError, "concentration must be finite"),
    (([1.0, 2.0, 3.0], 2), {"lkj_eta": 0.0}, ValueError, "lkj_eta must be finite and > 0"),
])
def test_weakly_informative_priors_reject_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        weakly_informative_priors(*args, **kwargs)


# --- posterior tables and diagnostics on hand-made posteriors ------------------------


def test_posterior_table_matches_numpy_and_is_rounded(rng):
    a = rng.normal(2.0, 0.5, size=(4, 250))
    b = rng.gamma(3.0, size=(4, 250, 2, 2))
    table = posterior_table(_tree({"a": a, "b": b}), ["a", "b"], ci_prob=0.8, decimals=3)
    assert list(table.index) == ["a", "b[0,0]", "b[0,1]", "b[1,0]", "b[1,1]"]
    assert list(table.columns) == ["mean", "sd", "lower", "upper"]
    flat = b.reshape(-1, 4)
    expected = np.column_stack([flat.mean(0), flat.std(0, ddof=1),
                                np.quantile(flat, 0.1, axis=0), np.quantile(flat, 0.9, axis=0)])
    assert np.allclose(table.iloc[1:].to_numpy(), expected, atol=5e-4)
    assert np.allclose(table.loc["a", "mean"], a.mean(), atol=5e-4)
    assert np.array_equal(table.to_numpy(), np.round(table.to_numpy(), 3))


def test_posterior_table_prints_no_negative_zero():
    a = np.full((2, 10), -1e-9)
    table = posterior_table(_tree({"a": a}), ["a"])
    assert "-0.0" not in table.to_string()


@pytest.mark.parametrize("ci_prob", [0.0, 1.0, 1.5])
def test_posterior_table_rejects_a_bad_interval_mass(ci_prob, rng):
    with pytest.raises(ValueError, match="ci_prob must lie strictly between 0 and 1"):
        posterior_table(_tree({"a": rng.normal(size=(2, 10))}), ["a"], ci_prob=ci_prob)


def test_unknown_variable_names_are_reported(rng):
    idata = _tree({"a": rng.normal(size=(2, 10))})
    with pytest.raises(ValueError, match=r"var_names \['nope'\] are not in the posterior"):
        posterior_table(idata, ["nope"])
    with pytest.raises(TypeError, match="idata must be inference data with a 'posterior' group"):
        posterior_draws({"a": 1}, "a")


def test_posterior_draws_stack_the_chains(rng):
    b = rng.normal(size=(3, 7, 2))
    draws = posterior_draws(_tree({"b": b}), "b")
    assert draws.shape == (21, 2)
    assert np.array_equal(draws, b.reshape(21, 2))


def test_convergence_report_passes_well_mixed_independent_draws(rng):
    idata = _tree({"a": rng.normal(size=(4, 500))}, diverging=np.zeros((4, 500), bool))
    report = convergence_report(idata)
    assert isinstance(report, ConvergenceReport)
    assert report.ok, report
    assert report.max_r_hat < 1.01 and report.min_ess_bulk > 1000 and report.divergences == 0


def test_convergence_report_flags_chains_that_disagree(rng):
    shifted = rng.normal(size=(4, 500)) + np.array([0.0, 0.0, 0.0, 3.0])[:, None]
    report = convergence_report(_tree({"a": shifted}))
    assert not report.ok
    assert report.max_r_hat > 1.1
    assert "max r_hat" in str(report) and "(<= 1.01)" in str(report)


def test_convergence_report_flags_sticky_chains(rng):
    # A random walk: strongly autocorrelated, so few effective samples.
    walk = np.cumsum(rng.normal(size=(4, 500)), axis=1)
    report = convergence_report(_tree({"a": walk}))
    assert report.min_ess_bulk < 400 and not report.ok


def test_convergence_report_counts_divergences_against_the_threshold(rng):
    diverging = np.zeros((4, 500), bool)
    diverging[1, [3, 10]] = True
    idata = _tree({"a": rng.normal(size=(4, 500))}, diverging=diverging)
    assert n_divergences(idata) == 2
    assert not convergence_report(idata).ok
    assert convergence_report(idata, max_divergences=2).ok


def test_bfmi_is_the_energy_formula_and_flags_a_sticky_energy(rng):
    # E-BFMI of chain c: sum_t (E_t - E_{t-1})^2 / sum_t (E_t - mean E)^2 (Betancourt 2016)
    energy = rng.normal(size=(4, 500))
    energy[2] = np.cumsum(energy[2])  # a random-walk energy: tiny E-BFMI
    hand = (np.square(np.diff(energy, axis=1)).sum(axis=1)
            / np.square(energy - energy.mean(axis=1, keepdims=True)).sum(axis=1))
    assert hand[[0, 1, 3]].min() > 1.5 and hand[2] < 0.1  # iid energies give about 2
    idata = _tree({"a": rng.normal(size=(4, 500))}, energy=energy)
    assert mb.min_bfmi(idata) == pytest.approx(hand.min(), rel=1e-12)
    report = convergence_report(idata)
    assert report.min_bfmi == pytest.approx(hand.min(), rel=1e-12)
    assert not report.ok and "min E-BFMI 0.0" in str(report)
    assert convergence_report(idata, bfmi_min=0.0).ok
    energy[2] = rng.normal(size=500)
    assert convergence_report(_tree({"a": rng.normal(size=(4, 500))}, energy=energy)).ok


def test_draws_at_the_maximum_tree_depth_fail_the_report(rng):
    hit = np.zeros((4, 500), bool)
    idata = _tree({"a": rng.normal(size=(4, 500))}, reached_max_treedepth=hit)
    assert mb.n_max_treedepth(idata) == 0 and convergence_report(idata).ok
    hit[3, [0, 7, 9]] = True
    report = convergence_report(_tree({"a": rng.normal(size=(4, 500))},
                                      reached_max_treedepth=hit))
    assert report.max_treedepth_draws == 3 and not report.ok
    assert "draws at max tree depth 3 (<= 0)" in str(report)
    assert convergence_report(_tree({"a": rng.normal(size=(4, 500))}, reached_max_treedepth=hit),
                              treedepth_draws_max=3).ok


def test_without_energy_or_tree_depth_the_report_skips_those_checks(rng):
    report = convergence_report(_tree({"a": rng.normal(size=(4, 500))}))
    assert np.isnan(report.min_bfmi) and report.max_treedepth_draws == 0 and report.ok


def test_n_divergences_is_zero_without_sample_stats(rng):
    assert n_divergences(_tree({"a": rng.normal(size=(2, 10))})) == 0


def test_ess_per_second_divides_the_bulk_ess_by_the_time(rng):
    idata = _tree({"a": rng.normal(size=(4, 500))})
    ess = convergence_report(idata).min_ess_bulk
    assert ess_per_second(idata, seconds=2.0) == pytest.approx(ess / 2.0)
    with pytest.raises(ValueError, match="idata.attrs has no 'sampling_seconds'"):
        ess_per_second(idata)


# --- the sampling wrappers on a tiny conjugate model -----------------------------------


@pytest.fixture(scope="module")
def normal_model():
    y = np.random.default_rng(5).normal(3.0, 1.0, size=40)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 10.0)
        pm.Normal("y", mu, 1.0, observed=y)
    return model, y


@pytest.fixture(scope="module")
def normal_idata(normal_model):
    return mb.sample(normal_model[0], random_seed=11, draws=300, tune=300, chains=2, cores=1)


def test_sample_is_seeded_and_records_its_time(normal_model, normal_idata):
    # conjugate posterior: precision 1/100 + n, mean n ybar / precision
    y = normal_model[1]
    precision = 1 / 100 + len(y)
    draws = posterior_draws(normal_idata, "mu")
    assert draws.shape == (600,)
    assert draws.mean() == pytest.approx(len(y) * y.mean() / precision, abs=0.05)
    assert draws.std() == pytest.approx(precision**-0.5, rel=0.2)
    assert normal_idata.attrs["sampling_seconds"] > 0
    assert isinstance(normal_idata.attrs["sampling_warnings"], list)
    assert n_divergences(normal_idata) == 0
    report = convergence_report(normal_idata, ["mu"], ess_min=200)
    assert report.ok, report
    # E-BFMI and tree depth come from PyMC's own sample stats, as ArviZ computes them
    import arviz as az

    assert report.min_bfmi == pytest.approx(float(az.bfmi(normal_idata)["energy"].min()))
    assert report.min_bfmi > 0.3
    assert report.max_treedepth_draws == int(
        normal_idata["sample_stats"]["reached_max_treedepth"].values.sum()) == 0


def test_sample_repeats_with_the_same_seed(normal_model, normal_idata):
    again = mb.sample(normal_model[0], random_seed=11, draws=300, tune=300, chains=2, cores=1)
    assert np.array_equal(posterior_draws(again, "mu"), posterior_draws(normal_idata, "mu"))


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"random_seed": None}, TypeError, "random_seed must be an int so that the run can be "),
    ({"random_seed": 1.5}, TypeError, "random_seed must be an int"),
    ({"random_seed": -1}, ValueError, "random_seed must be non-negative"),
    ({"random_seed": 1, "draws": 0}, ValueError, "draws must be >= 1"),
    ({"random_seed": 1, "chains": 0}, ValueError, "chains must be >= 1"),
    ({"random_seed": 1, "tune": -5}, ValueError, "tune must be >= 0"),
    ({"random_seed": 1, "target_accept": 1.0}, ValueError, "target_accept must lie strictly"),
])
def test_sample_rejects_bad_arguments(normal_model, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        mb.sample(normal_model[0], **kwargs)


def test_sample_needs_a_pymc_model():
    with pytest.raises(TypeError, match="model must be a pymc.Model, got dict"):
        mb.sample({}, random_seed=1)


def test_find_map_is_the_conjugate_posterior_mode(normal_model):
    model, y = normal_model
    point = mb.find_map(model, seed=3)
    assert set(point) == {"mu"}
    assert point["mu"] == pytest.approx(len(y) * y.mean() / (1 / 100 + len(y)), abs=1e-4)


def test_find_map_lets_pymcs_warnings_through(normal_model):
    # Regression: find_map used warnings.simplefilter("ignore") and hid every warning.
    with pytest.warns(UserWarning, match="The optimizer did not converge"):
        mb.find_map(normal_model[0], maxiter=1)


def test_sample_posterior_predictive_extends_the_inference_data(normal_model, normal_idata):
    model, y = normal_model
    out = mb.sample_posterior_predictive(normal_idata.copy(), model, random_seed=2)
    pred = out["posterior_predictive"]["y"].values
    assert pred.shape == (2, 300, len(y))
    # predictive sd = sqrt(1 + posterior variance) ~ 1
    assert pred.std() == pytest.approx(1.0, rel=0.1)


def test_divergence_messages_are_collected_not_printed(capfd):
    # Regression: PyMC logs "There were N divergences after tuning" at the error level,
    # which went to stderr (and into executed notebooks) despite quiet_pymc.
    with pm.Model() as funnel:
        log_scale = pm.Normal("log_scale", 0.0, 3.0)
        pm.Normal("theta", 0.0, pm.math.exp(log_scale / 2), shape=5)
    logger = logging.getLogger("pymc")
    before = (logger.level, list(logger.handlers), logger.propagate)
    idata = mb.sample(funnel, random_seed=1, draws=300, tune=200, chains=2, cores=1,
                      target_accept=0.6)
    assert n_divergences(idata) > 0
    messages = idata.attrs["sampling_warnings"]
    assert any("divergence" in m and "after tuning" in m for m in messages), messages
    assert "divergence" not in capfd.readouterr().err
    assert (logger.level, list(logger.handlers), logger.propagate) == before


def test_quiet_pymc_restores_the_logger_levels():
    logger = logging.getLogger("pymc")
    before = logger.level
    with quiet_pymc(logging.CRITICAL):
        assert logger.level == logging.CRITICAL
    assert logger.level == before


def test_logp_of_the_tiny_model_matches_scipy(normal_model):
    model, y = normal_model
    logp = model.compile_logp(mode="FAST_COMPILE")({"mu": np.array(2.5)})
    expected = stats.norm(0, 10).logpdf(2.5) + stats.norm(2.5, 1).logpdf(y).sum()
    assert logp == pytest.approx(expected, rel=1e-8)


# --- one prior check for every builder (regression: it was copied into three modules) -------


@pytest.mark.parametrize("builder", ["supervised", "marginal", "semi"])
def test_every_builder_rejects_priors_for_other_data(builder):
    from mixgrad.bayes import marginal_mixture, semi_supervised_mixture, supervised_mixture

    x = np.linspace(0.0, 1.0, 12)
    z = np.arange(12) % 2
    wrong = weakly_informative_priors(x, 3)
    build = {
        "supervised": lambda p: supervised_mixture(x, z, 2, priors=p),
        "marginal": lambda p: marginal_mixture(x, 2, priors=p),
        "semi": lambda p: semi_supervised_mixture(x, np.where(z == 0, -1, 1), 2, priors=p),
    }[builder]
    with pytest.raises(ValueError, match="priors are for 3 components and 1 features"):
        build(wrong)
    with pytest.raises(TypeError, match="priors must be a MixturePriors"):
        build({"means": 0.0})
