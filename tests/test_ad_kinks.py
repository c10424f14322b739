"""The library's derivatives at kinks and branches (chapter dual-numbers).

At a kink the program has to return *some* number; these tests pin the
documented conventions (subgradients) in both modes, and check that away from
the kink both modes agree with central differences.
"""

import mixgrad.ad as ad
import numpy as np
import pytest
from mixgrad.ad import Dual


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_abs_at_zero_is_zero(mode):
    d = ad.derivative(np.abs) if mode == "fwd" else ad.grad(np.abs)
    assert d(0.0) == 0.0


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_maximum_at_a_tie_splits_the_derivative(mode):
    relu = lambda x: np.maximum(x, 0.0)  # noqa: E731
    d = ad.derivative(relu) if mode == "fwd" else ad.grad(relu)
    assert d(0.0) == 0.5
    both = ad.grad(lambda x, y: np.maximum(x, y), argnums=(0, 1))(2.0, 2.0)
    assert both == (0.5, 0.5)


def test_the_conventions_are_subgradients():
    # a subgradient of a convex function lies between the one-sided derivatives
    for g in (np.abs, lambda x: np.maximum(x, 0.0)):
        h = 1e-6
        left = (g(0.0) - g(-h)) / h
        right = (g(h) - g(0.0)) / h
        assert left - 1e-9 <= ad.grad(g)(0.0) <= right + 1e-9
        assert left - 1e-9 <= g(Dual(0.0, 1.0)).tangent <= right + 1e-9


@pytest.mark.parametrize("x", [-1.3, -0.2, 0.4, 2.0])
def test_away_from_kinks_both_modes_match_central_differences(x):
    for g in (np.abs, lambda t: np.maximum(t, 0.0), lambda t: np.minimum(t, 0.5)):
        fd = ad.central_difference(g, x, 1e-6)
        assert abs(ad.grad(g)(x) - fd) < 1e-8
        assert abs(ad.derivative(g)(x) - fd) < 1e-8


def test_a_branch_is_not_differentiated():
    def identity_with_branch(x):
        return 1.0 if x == 1.0 else x

    assert ad.derivative(identity_with_branch)(1.0) == 0.0
    assert ad.grad(identity_with_branch)(1.0) == 0.0
    assert ad.grad(identity_with_branch)(1.5) == 1.0
