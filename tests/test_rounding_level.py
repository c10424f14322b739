"""mixgrad.timing.rounding_level: rounding-level differences printed as a stable bound."""

import pytest
from mixgrad.timing import rounding_level


@pytest.mark.parametrize("value, expected", [(0.0, "< 1e-13"), (4.4e-16, "< 1e-13"),
                                             (9.99e-14, "< 1e-13"), (1e-13, "1.0e-13"),
                                             (2.5e-9, "2.5e-09")])
def test_rounding_level_bounds_small_values_and_shows_large_ones(value, expected):
    assert rounding_level(value) == expected


def test_rounding_level_other_bound():
    assert rounding_level(3e-12, bound=1e-10) == "< 1e-10"


@pytest.mark.parametrize("value, bound, match", [(-1e-16, 1e-13, "non-negative"),
                                                 (float("nan"), 1e-13, "non-negative"),
                                                 (0.0, 0.0, "bound must be positive")])
def test_rounding_level_rejects_bad_input(value, bound, match):
    with pytest.raises(ValueError, match=match):
        rounding_level(value, bound)
