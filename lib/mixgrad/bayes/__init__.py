"""Part III: Bayesian mixtures with PyMC (see :ref:`bayesian-supervised`).

Model builders return a :class:`pymc.Model`; :func:`sample` draws from it,
seeded and quiet; :func:`convergence_report` checks r-hat, ESS and
divergences; the comparison helpers put a posterior beside an EM fit from
:mod:`mixgrad.mixture`.

Importing this package sets PyTensor's ``blas__ldflags=`` flag (no system
BLAS; see :func:`configure_pytensor_flags`) unless you set BLAS flags yourself,
so a pip-installed PyTensor does not warn on import.
"""

from mixgrad.bayes._pytensor import configure_pytensor_flags

configure_pytensor_flags()

from mixgrad.bayes.choose_k import (  # noqa: E402
    add_log_likelihood,
    fit_over_k,
    loo_table,
    predictive_convergence,
)
from mixgrad.bayes.compare import em_parameters, map_vs_em, posterior_vs_em  # noqa: E402
from mixgrad.bayes.diagnostics import (  # noqa: E402
    ConvergenceReport,
    chain_intervals,
    convergence_report,
    ess_per_second,
    min_bfmi,
    n_divergences,
    n_max_treedepth,
    posterior_draws,
    posterior_table,
)
from mixgrad.bayes.occupied import (  # noqa: E402
    density_modes,
    label_free_convergence,
    occupied_components,
    prior_occupied_components,
    sorted_weights,
    weights_above,
)
from mixgrad.bayes.priors import MixturePriors, check_data, weakly_informative_priors  # noqa: E402
from mixgrad.bayes.relabel import relabel, relabel_permutations  # noqa: E402
from mixgrad.bayes.sampling import (  # noqa: E402
    find_map,
    quiet_pymc,
    sample,
    sample_posterior_predictive,
)
from mixgrad.bayes.semi import (  # noqa: E402
    latent_semi_supervised_mixture,
    semi_supervised_mixture,
)
from mixgrad.bayes.supervised import (  # noqa: E402
    check_complete_labels,
    class_probability_draws,
    supervised_mixture,
)
from mixgrad.bayes.unsupervised import (  # noqa: E402
    label_posterior,
    latent_mixture,
    marginal_mixture,
)

__all__ = [
    "configure_pytensor_flags",
    "ConvergenceReport", "convergence_report", "ess_per_second", "n_divergences",
    "min_bfmi", "n_max_treedepth",
    "posterior_draws", "posterior_table", "chain_intervals",
    "MixturePriors", "check_data", "weakly_informative_priors",
    "find_map", "quiet_pymc", "sample", "sample_posterior_predictive",
    "em_parameters", "map_vs_em", "posterior_vs_em",
    "check_complete_labels", "class_probability_draws", "supervised_mixture",
    "label_posterior", "latent_mixture", "marginal_mixture",
    "relabel", "relabel_permutations",
    "add_log_likelihood", "fit_over_k", "loo_table", "occupied_components",
    "predictive_convergence", "prior_occupied_components", "weights_above",
    "label_free_convergence", "sorted_weights", "density_modes",
    "latent_semi_supervised_mixture", "semi_supervised_mixture",
]
