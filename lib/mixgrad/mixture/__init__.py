"""Part II: Gaussian mixtures, EM and its relatives.

The functional core (responsibilities, E-step, M-step per covariance type,
log-likelihood, ELBO, KL) is public so that chapters can run EM one step at a
time; :class:`GaussianMixture` wraps it in a scikit-learn compatible estimator.
"""

# --- Gaussians, E-step/M-step, ELBO/KL, the GaussianMixture estimator -------
from mixgrad.mixture.covariance import (  # noqa: F401  # isort: skip
    COVARIANCE_TYPES,
    full_covariances,
    n_parameters,
    precisions_cholesky_from_covariances,
    precisions_cholesky_from_precisions,
    precisions_from_cholesky,
)
from mixgrad.mixture.em import (  # noqa: F401  # isort: skip
    e_step,
    estimate_log_prob_resp,
    m_step,
    pin_responsibilities,
    responsibilities,
    weighted_log_prob,
)
from mixgrad.mixture.estimator import GaussianMixture  # noqa: F401  # isort: skip
from mixgrad.mixture.classifier import GaussianMixtureClassifier  # noqa: F401  # isort: skip
from mixgrad.mixture.expfamily import design_matrix, natural_parameters  # noqa: F401  # isort: skip
from mixgrad.mixture.gaussian import log_gaussian_prob, mixture_density_1d  # noqa: F401  # isort: skip
from mixgrad.mixture.history import EMHistory  # noqa: F401  # isort: skip
from mixgrad.mixture.likelihood import (  # noqa: F401  # isort: skip
    collapsing_log_likelihood,
    elbo,
    kl,
    log_likelihood,
)
from mixgrad.mixture.stats import StatsEM  # noqa: F401  # isort: skip

# --- the EM loop of the models below, sampling, k-means and its limit,
#     missing/censored data, Poisson mixtures, model-quality metrics ----------
from mixgrad.mixture._loop import EMResult  # noqa: F401  # isort: skip
from mixgrad.mixture.kmeans import KMeansResult, kmeans, kmeans_plusplus  # noqa: F401  # isort: skip
from mixgrad.mixture.sampling import sample_gaussian, sample_mixture  # noqa: F401  # isort: skip
from mixgrad.mixture.limits import hard_em, soft_kmeans, soft_kmeans_responsibilities  # noqa: F401  # isort: skip
from mixgrad.mixture.hard_population import hard_em_population, hard_em_population_step  # noqa: F401  # isort: skip
from mixgrad.mixture.toy import toy_em_means, toy_log_likelihood, toy_responsibilities  # noqa: F401  # isort: skip
from mixgrad.mixture.missing import (  # noqa: F401  # isort: skip
    bivariate_history_table,
    mvn_e_step,
    mvn_em,
    mvn_m_step,
    observed_log_likelihood,
)
from mixgrad.mixture.censored import (  # noqa: F401  # isort: skip
    censored_bivariate_em,
    censored_log_likelihood,
    censored_normal_em,
    truncated_normal_moments,
)
from mixgrad.mixture.poisson import (  # noqa: F401  # isort: skip
    poisson_mixture_em,
    poisson_mixture_log_likelihood,
    sample_poisson_mixture,
    sample_zip,
    zip_em,
    zip_log_likelihood,
)
from mixgrad.mixture.metrics import aic, bic  # noqa: F401  # isort: skip
from mixgrad.mixture.variational import (  # noqa: F401  # isort: skip
    NormalWishartPrior,
    VariationalResult,
    normal_wishart_prior,
    sklearn_elbo_offset,
    sklearn_variational_reference,
    variational_elbo,
    variational_gmm,
    variational_parameters,
    variational_responsibilities,
)
