"""The exclusion list of scikit-learn's reference test file has no stale entries (issue 12).

``tests/sklearn_reference/conftest.py`` holds the one list (:data:`EXCLUDED`) of tests of
scikit-learn's ``test_gaussian_mixture.py`` that do not run as written against
mixgrad. Each entry must name a test of the file, and every instance of it must fail when
the file runs unmodified (``MIXGRAD_SKLEARN_REFERENCE=raw``): an entry that passes is no
longer needed and must go.
"""
import ast
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from mixgrad.exceptions import ConvergenceWarning
from mixgrad.mixture import GaussianMixture
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from sklearn_reference.conftest import EXCLUDED, REFERENCE_FILE


def test_exclusions_name_tests_of_the_file_with_a_kind_and_reason():
    tree = ast.parse(REFERENCE_FILE.read_text())
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert set(EXCLUDED) <= functions, set(EXCLUDED) - functions
    for name, (kind, reason) in EXCLUDED.items():
        assert kind in ("private", "wording"), name
        assert reason and "\n" not in reason, name


def test_the_reference_file_is_sklearn_s_with_only_the_import_rewritten():
    import sklearn

    original = Path(sklearn.__file__).parent / "mixture" / "tests" / "test_gaussian_mixture.py"
    ours = REFERENCE_FILE.read_text().splitlines()
    body = ours[next(i for i, line in enumerate(ours) if line.startswith("# Authors")):]
    rewritten = [line.replace("from mixgrad.mixture import", "from sklearn.mixture import")
                 for line in body]
    if original.exists():  # the wheel ships its tests
        assert rewritten == original.read_text().splitlines()
    assert sum(line != new for line, new in zip(body, rewritten, strict=True)) == 1


def test_every_excluded_test_fails_when_run_unmodified():
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, MIXGRAD_SKLEARN_REFERENCE="raw")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(REFERENCE_FILE), "-q", "-rA", "--tb=no",
         "-p", "no:cacheprovider", "-W", "ignore", "-k", " or ".join(EXCLUDED)],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )
    outcomes = [(outcome, name) for outcome, name in
                re.findall(r"^(PASSED|FAILED|ERROR)\S* \S*::(\w+)", result.stdout, re.M)
                if name in EXCLUDED]  # -k matches substrings
    seen = {name for _, name in outcomes}
    assert seen == set(EXCLUDED), (set(EXCLUDED) - seen, result.stdout[-2000:])
    stale = sorted({name for outcome, name in outcomes if outcome != "FAILED"})
    assert not stale, f"these excluded tests now pass unmodified; remove them: {stale}"


# --- the behaviour differences the reference file found, tested on other data -----------

def test_float32_score_is_the_float32_mean_of_score_samples(rng):
    X = rng.normal(size=(301, 2)).astype(np.float32)
    gm = GaussianMixture(2, random_state=0).fit(X)
    assert gm.score(X) == float(np.mean(gm.score_samples(X)))  # as scikit-learn's xp.mean


@pytest.mark.parametrize("solver", ["stats", "direct"])
def test_last_m_step_collapse_is_returned_unconverged_as_sklearn_does(solver):
    # The second component takes x = 3 with responsibilities ~1e-22 elsewhere: its M-step
    # variance (6e-21) is positive but below the collapse floor.
    X = np.array([[-1.0], [1.0], [3.0]])
    init = {"weights_init": [0.5, 0.5], "means_init": [[0.0], [3.0]],
            "precisions_init": [1.0, 25.0], "covariance_type": "spherical", "reg_covar": 0.0}
    with pytest.warns(ConvergenceWarning, match="collapsed a component.*increase reg_covar"):
        gm = GaussianMixture(2, max_iter=1, solver=solver, **init).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SklearnGaussianMixture(2, max_iter=1, **init).fit(X)
    assert not gm.converged_ and not ref.converged_
    np.testing.assert_allclose(gm.lower_bound_, ref.lower_bound_, rtol=1e-12)
    np.testing.assert_allclose(gm.weights_, ref.weights_, rtol=1e-12)
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-12)
    np.testing.assert_allclose(gm.covariances_[0], ref.covariances_[0], rtol=1e-12)
    assert 0 < gm.covariances_[1] < 1e-15  # scikit-learn's one-pass formula gives ~2e-14
    # EM never steps from a collapsed component: the next iteration raises
    with pytest.raises(ValueError, match="ill-defined empirical covariance.*increase reg_covar"):
        GaussianMixture(2, max_iter=5, solver=solver, **init).fit(X)
