"""2D Ising checkerboard Metropolis at T_C, L = 256: bmlib against vectorised NumPy.

Both sides do the same work on the same starting lattice in this process: full checkerboard
sweeps, one attempted flip per spin per sweep. Prints ns per attempted flip and the ratio
baseline / bmlib. The NumPy baseline runs twice: with NumPy's default integer dtype (int64,
what `np.random.choice([-1, 1], size=(L, L))` gives) and with int8 spins like bmlib's, which
is the fastest the vectorised version gets; ratios are quoted against both. bmlib updates 64
sites per machine word (multi-spin coding, see bmlib/ising/_multispin.py); the parallel path
gives the same lattice as the serial one for the same seed.
"""

import numba
import numpy as np
from _timing import alternating, best_time, header, row

from bmlib import ising

L = 256
T = ising.T_C


def numpy_metropolis(spins, T, n_sweeps, generator):
    """The checkerboard Metropolis a NumPy user would write: whole colours at once."""
    i, j = np.indices(spins.shape)
    colours = [(i + j) % 2 == c for c in (0, 1)]
    for _ in range(n_sweeps):
        for colour in colours:
            nb = np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1) + np.roll(spins, -1, 1)
            delta = 2 * spins * nb
            accept = colour & (generator.random(spins.shape) < np.exp(-delta / T))
            spins[accept] *= -1


def main():
    header(f"Ising checkerboard Metropolis, L = {L}, T = T_C = {T:.4f}")
    start = ising.random_spins(L, seed=1)
    ising.metropolis(start, T, 200, seed=2)  # near-equilibrium starting lattice for both sides
    flips_numpy, flips_bmlib = 20 * L * L, 400 * L * L

    def run_numpy():
        numpy_metropolis(start.astype(np.int64), T, 20, np.random.default_rng(3))

    def run_numpy8():
        numpy_metropolis(start.copy(), T, 20, np.random.default_rng(3))

    def run_bmlib(parallel):
        spins = start.copy()
        return lambda: ising.metropolis(spins, T, 400, seed=3, parallel=parallel)

    baseline = best_time(run_numpy, repeat=3) / flips_numpy
    row("NumPy vectorised checkerboard, int64 spins", baseline, "flip", 1)
    baseline8 = best_time(run_numpy8, repeat=3) / flips_numpy
    row("NumPy vectorised checkerboard, int8 spins", baseline8, "flip", 1, baseline)
    # serial and parallel in turn, 7 rounds: the machine's speed drifts, so compare like with like
    serial_times, parallel_times = alternating([run_bmlib(False), run_bmlib(True)], rounds=7)
    serial, parallel = serial_times.min() / flips_bmlib, parallel_times.min() / flips_bmlib
    threads = numba.get_num_threads()
    for label, seconds in [("serial", serial), (f"parallel, {threads} threads", parallel)]:
        row(f"bmlib.ising.metropolis, {label}", seconds, "flip", 1, baseline)
        print(f"  {'':44} {'':8}            {baseline8 / seconds:6.1f}x over the int8 NumPy baseline")
    per_round = serial_times / parallel_times
    print(
        f"  parallel / serial speed-up: {serial / parallel:.2f}x (best of each), "
        f"{per_round.min():.2f}-{per_round.max():.2f}x per round"
    )

    header(f"Wolff clusters, L = {L}, T = T_C")
    spins = start.copy()
    size = ising.wolff(spins, T, 2000, seed=4)
    wolff_time = best_time(lambda: ising.wolff(spins, T, 2000, seed=5), repeat=3)
    row(f"bmlib.ising.wolff (mean cluster {size:.0f} spins)", wolff_time / (2000 * size), "spin flipped", 1)


if __name__ == "__main__":
    main()
