"""The two-dimensional Ising model: energies, Monte Carlo samplers, exact results, annealing.

Spins s_i in {-1, +1} (int8) sit on an L x L square lattice with periodic boundaries, with
energy E(s) = -J sum_<ij> s_i s_j - h sum_i s_i. Each idea has its own file:

``lattice.py``
    Spins, :func:`energy`, :func:`magnetization` and the critical temperature :data:`T_C`.
``metropolis.py``
    Checkerboard Metropolis: :func:`metropolis_reference`, the algorithm site by site, and
    the fast :func:`metropolis` and :func:`metropolis_snapshots` tested against it.
``wolff.py``
    Wolff single-cluster updates (h = 0), which do not slow down near T_C.
``simulation.py``
    :func:`simulate`: averages over temperatures with error bars (:class:`SimulationResult`).
``exact_results.py``
    Onsager's and Yang's infinite-lattice results, and the exact distribution and averages of
    lattices up to 4 x 4 by enumerating all 2^(L*L) states.
``glass.py``
    Spin glasses on any symmetric coupling matrix, and simulated annealing (:func:`anneal`).
``_multispin.py`` (private)
    The speed work behind :func:`metropolis`: 64 sites per machine word, threads.

Import the package, not its files: ``from bmlib import ising``, then ``ising.metropolis``.
"""

from bmlib.ising.exact_results import (
    ExactDistribution,
    exact_distribution,
    exact_observables,
    onsager_energy,
    onsager_magnetization,
    onsager_specific_heat,
)
from bmlib.ising.glass import AnnealResult, anneal, couplings_energy, geometric_schedule
from bmlib.ising.lattice import T_C, energy, magnetization, ordered_spins, random_spins
from bmlib.ising.metropolis import metropolis, metropolis_reference, metropolis_snapshots
from bmlib.ising.simulation import SimulationResult, series_observables, simulate
from bmlib.ising.wolff import wolff

__all__ = [
    "T_C",
    "random_spins",
    "ordered_spins",
    "energy",
    "magnetization",
    "metropolis",
    "metropolis_snapshots",
    "metropolis_reference",
    "wolff",
    "simulate",
    "series_observables",
    "SimulationResult",
    "exact_distribution",
    "ExactDistribution",
    "onsager_energy",
    "onsager_specific_heat",
    "onsager_magnetization",
    "exact_observables",
    "couplings_energy",
    "anneal",
    "AnnealResult",
    "geometric_schedule",
]
