"""Maxwell–Boltzmann sampling and log-sum-exp: bmlib against the NumPy a user would write.

Both sides run in this process on the same problem; the ratio is baseline time / bmlib time.
"""

import numba
import numpy as np
from _timing import best_time, header, row
from scipy.special import logsumexp as scipy_logsumexp

from bmlib import maxwell, stats

N = 5_000_000
T = 300.0
GAS = maxwell.GASES["N2"]


def numpy_speeds():
    """The readable version from notebook 01: normal components, then the vector length."""
    rng = np.random.default_rng(1)
    velocities = rng.normal(0.0, np.sqrt(maxwell.K_B * T / GAS.mass), size=(N, 3))
    return np.sqrt((velocities**2).sum(axis=1))


def main():
    header(f"Maxwell–Boltzmann speeds, n = {N:,} (N2 at {T:g} K)")
    baseline = best_time(numpy_speeds)
    row("NumPy Generator.normal + norm", baseline, "speed", N)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    serial = best_time(lambda: maxwell.sample_speeds(N, T, GAS, seed=1))
    numba.set_num_threads(threads)
    row("bmlib.maxwell.sample_speeds, 1 thread", serial, "speed", N, baseline)
    parallel = best_time(lambda: maxwell.sample_speeds(N, T, GAS, seed=1))
    row(f"bmlib.maxwell.sample_speeds, {threads} threads", parallel, "speed", N, baseline)

    energies = np.random.default_rng(2).normal(0.0, 300.0, size=2**20)
    header(f"log Z of {energies.size:,} energies (log-sum-exp)")
    baseline = best_time(lambda: scipy_logsumexp(-energies))
    row("scipy.special.logsumexp", baseline, "term", energies.size)
    bmlib_time = best_time(lambda: stats.logsumexp(-energies))
    row("bmlib.stats.logsumexp", bmlib_time, "term", energies.size, baseline)
    assert abs(stats.logsumexp(-energies) - scipy_logsumexp(-energies)) < 1e-9 * abs(
        scipy_logsumexp(-energies)
    )


if __name__ == "__main__":
    main()
