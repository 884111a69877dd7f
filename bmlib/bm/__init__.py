"""Boltzmann machines: stochastic binary units, Gibbs sampling, annealing and learning; Hopfield nets.

N units s_i in {0, 1}, a symmetric weight matrix W with zero diagonal and biases theta:

    E(s) = -( sum_{i<j} w_ij s_i s_j + sum_i theta_i s_i ).

Unit i switches on with probability p_on = sigma(Delta E_i / T), its energy gap being
Delta E_i = sum_j w_ij s_j + theta_i; sweeping the units with this rule samples the
Boltzmann distribution P(s) = exp(-E(s)/T) / Z, and at T -> 0 it becomes the deterministic
Hopfield update. Learning moves the weights by the difference of <s_i s_j> with the visible
units clamped to data and with the machine running freely. Read the modules in this order:

* :mod:`bmlib.bm.hopfield`: Hebbian weights and recall by deterministic descent;
* :mod:`bmlib.bm.sampling`: :func:`energy`, :func:`delta_energy`, Gibbs sweeps written out
  unit by unit (:func:`gibbs_reference`) and fast (:func:`gibbs`, :func:`gibbs_samples`),
  simulated annealing (:func:`anneal`) and the clamped and free statistics;
* :mod:`bmlib.bm.learning`: the exact KL to the data and its gradient, the n-h-n encoder's
  connectivity and the :class:`BoltzmannMachine` trained by the two-phase rule.

The private modules: ``_kernels`` (the Numba kernels, tested against
:func:`gibbs_reference`) and ``_checks`` (input checks shared by the public functions).

Randomness: every stochastic function takes ``seed`` and gives each chain its own
``bmlib.rng`` stream, so results depend on the seed alone, never on the number of threads.

Import the package, not its files: ``from bmlib import bm``, then ``bm.gibbs``.

References
----------
J. J. Hopfield, "Neural networks and physical systems with emergent collective computational
abilities", PNAS 79 (1982) 2554.
D. H. Ackley, G. E. Hinton and T. J. Sejnowski, "A learning algorithm for Boltzmann
machines", Cognitive Science 9 (1985) 147.
"""

from bmlib.bm.hopfield import hopfield_recall, hopfield_weights
from bmlib.bm.learning import BoltzmannMachine, encoder_connectivity, kl_from_data, kl_gradient
from bmlib.bm.sampling import (
    PAPER_SCHEDULE,
    anneal,
    delta_energy,
    energy,
    gibbs,
    gibbs_reference,
    gibbs_samples,
    statistics,
)
from bmlib.exact import check_weights

__all__ = [
    "check_weights",
    "energy",
    "delta_energy",
    "gibbs_reference",
    "gibbs",
    "gibbs_samples",
    "anneal",
    "PAPER_SCHEDULE",
    "statistics",
    "kl_from_data",
    "kl_gradient",
    "encoder_connectivity",
    "BoltzmannMachine",
    "hopfield_weights",
    "hopfield_recall",
]
