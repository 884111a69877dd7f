"""Restricted Boltzmann machines: the model, CD-k training, evaluation, parallel tempering.

An RBM has visible units v in {0, 1}^n_visible and hidden units h in {0, 1}^n_hidden, connected
only across the two layers, with energy

    E(v, h) = - sum_i b_i v_i - sum_j c_j h_j - sum_ij v_i W_ij h_j

and p(v, h) = exp(-E(v, h)) / Z. Read the modules in this order:

* :mod:`bmlib.rbm.model`: energy, free energy, the two conditionals, block Gibbs sampling;
* :mod:`bmlib.rbm.training`: the CD-k / PCD-k minibatch update, readable (:func:`cd_reference`)
  and as the estimator runs it;
* :mod:`bmlib.rbm.tempering`: parallel tempering as the negative phase;
* :mod:`bmlib.rbm.evaluation`: exact log Z, the log-likelihood, pseudo-likelihood and
  reconstruction error, the exact marginal of a small model;
* :mod:`bmlib.rbm.ais`: annealed importance sampling of log Z, one run written out
  (:func:`ais_run_reference`);
* :mod:`bmlib.rbm.estimator`: the scikit-learn-style :class:`RBM`;
* :mod:`bmlib.rbm.sharing`: weight sharing over lattice symmetries (chapter 08).

The private modules are the speed work, each tested against the readable version:
``_fused`` (a whole epoch in one Numba kernel, optionally on several threads), ``_blas`` (an
epoch of NumPy matrix products), ``_log_partition`` (exact log Z, split into half-layer
tables), ``_ais`` (AIS runs four at a time) and ``_checks`` (input checks shared by the public
functions); the vector and thread building blocks are in :mod:`bmlib._simd` and
:mod:`bmlib._threads`.

Random numbers: every stochastic function takes ``seed`` (see :mod:`bmlib.rng`). Row r of a
batch of chains draws from xoshiro256** stream r, in a fixed order, so results depend on the
seed alone, not on the machine or the number of threads.
"""

from bmlib.rbm.ais import ais_log_weights, ais_run_reference, ais_schedule, base_rate_bias
from bmlib.rbm.estimator import RBM
from bmlib.rbm.evaluation import (
    EXACT_LIMIT,
    log_likelihood,
    log_partition,
    pseudo_log_likelihood,
    reconstruction_error,
    visible_distribution,
)
from bmlib.rbm.model import (
    energy,
    free_energy,
    gibbs,
    hidden_probabilities,
    reconstruct,
    sample,
    sample_hidden,
    sample_visible,
    visible_probabilities,
)
from bmlib.rbm.sharing import tie_parameters
from bmlib.rbm.training import cd_reference, cd_update

__all__ = [
    "RBM",
    "energy",
    "free_energy",
    "hidden_probabilities",
    "visible_probabilities",
    "sample_hidden",
    "sample_visible",
    "gibbs",
    "reconstruct",
    "sample",
    "cd_update",
    "cd_reference",
    "pseudo_log_likelihood",
    "reconstruction_error",
    "log_partition",
    "log_likelihood",
    "visible_distribution",
    "ais_schedule",
    "ais_log_weights",
    "base_rate_bias",
    "ais_run_reference",
    "tie_parameters",
    "EXACT_LIMIT",
]
