"""Part I: derivatives by machine.

Divided differences, dual numbers (forward mode), a tape of array operations
(reverse mode), and the tools that show the machinery (Wengert lists, a
source transformer, Newton's method, ``check_grads``).

The public names are re-exported here, so chapters write
``from mixgrad.ad import Dual, grad, jvp``.
"""

# --- core: dual numbers, forward mode, reverse mode, differentiable ops -----
# (owned by the AD-core work; add one import line per module)
from mixgrad.ad._trace import DomainError, Primitive  # noqa: F401
from mixgrad.ad.dual import Dual  # noqa: F401
from mixgrad.ad.forward import derivative, gradient_fwd, jacobian_fwd, jvp  # noqa: F401
from mixgrad.ad.gmm import gmm_loglik  # noqa: F401
from mixgrad.ad.jvp_rules import JVP_RULES, defjvp  # noqa: F401
from mixgrad.ad.ops import (  # noqa: F401
    log_det_cholesky,
    log_softmax,
    logsumexp,
    softmax,
    solve_triangular,
)
from mixgrad.ad.reverse import (  # noqa: F401
    grad,
    hessian,
    jacobian,
    jacobian_rev,
    value_and_grad,
    vjp,
)
from mixgrad.ad.tape import Tape, trace_tape  # noqa: F401
from mixgrad.ad.vjp_rules import VJP_RULES, defvjp  # noqa: F401

# --- periphery: divided differences, Wengert lists, source transformation,
#     Newton's method, gradient checks --------------------------------------
# (owned by the AD-periphery work; add one import line per module)
# isort: split
from mixgrad.ad.check import check_grads  # noqa: F401
from mixgrad.ad.finite_diff import (  # noqa: F401
    backward_difference,
    central_difference,
    complex_step,
    default_step,
    divided_difference,
    fd_gradient,
    fd_jacobian,
    forward_difference,
)
from mixgrad.ad.newton import NewtonResult, estimate_order, newton, newton_system  # noqa: F401
from mixgrad.ad.source import differentiate_function, differentiate_source  # noqa: F401
from mixgrad.ad.step_error import (  # noqa: F401
    best_step,
    difference_error_model,
    optimal_step,
    step_sweep,
)
from mixgrad.ad.wengert import Trace, WengertList, trace  # noqa: F401
