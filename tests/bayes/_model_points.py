"""Helpers shared by the PyMC model tests (test_semi, test_unsupervised).

Imported only by modules that conftest.py lets through, i.e. with PyMC and PyTensor installed.
"""

import mixgrad.bayes  # noqa: F401  # before pytensor: sets PyTensor's BLAS flag
import numpy as np
import pytensor
import pytensor.tensor as pt
from scipy import stats

# Python-linked graphs: nothing to compile, so the checks stay fast with a cold cache.
FAST = "FAST_COMPILE"


def transformed_point(model, values):
    """Value-variable point (transformed space) for constrained ``values`` by RV name."""
    point = {}
    for rv in model.free_RVs:
        value = np.asarray(values[rv.name])
        transform = model.rvs_to_transforms[rv]
        if transform is not None:
            forward = transform.forward(pt.as_tensor(value), *rv.owner.inputs)
            value = pytensor.function([], forward, mode=FAST)()
        point[model.rvs_to_values[rv].name] = value
    return point


def scipy_log_joint(x, weights, means, sigmas):
    """log pi_k + log N(x_i | mu_k, sigma_k), shape (n, k)."""
    return np.log(weights) + stats.norm.logpdf(x[:, None], means, sigmas)
