"""Gibbs sweeps of a fully connected Boltzmann machine: bmlib against the NumPy a user would write.

Both sides run in this process on the same machine (weights N(0, 1/N), biases N(0, 1), T = 1)
with the same sequential update: for i = 0 .. N-1, s_i = 1 with probability sigma(Delta E_i / T),
Delta E_i = sum_j w_ij s_j + theta_i. Two baselines:

* straightforward: one chain at a time, one unit at a time (``W[i] @ s``), as the update is
  written on the page;
* chains vectorised: all chains at once for each unit (``S @ W[i]``), the best plain NumPy can do
  for a sequential sweep.

The ratio is baseline time / bmlib time per chain-sweep.
"""

import numba
import numpy as np
from _timing import best_time, header, row

from bmlib import bm, stats


def machine(n, seed=0):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(0.0, 1.0 / np.sqrt(n), size=(n, n)), 1)
    return upper + upper.T, rng.normal(0.0, 1.0, size=n)


def numpy_straightforward(states, W, theta, T, n_sweeps, seed):
    """One chain, one unit at a time."""
    rng = np.random.default_rng(seed)
    states = states.copy()
    for s in states:
        for _ in range(n_sweeps):
            for i in range(s.size):
                p_on = 1.0 / (1.0 + np.exp(-(W[i] @ s + theta[i]) / T))
                s[i] = 1.0 if rng.random() < p_on else 0.0
    return states


def numpy_vectorised(states, W, theta, T, n_sweeps, seed):
    """All chains at once for each unit; units still in sequence."""
    rng = np.random.default_rng(seed)
    states = states.copy()
    for _ in range(n_sweeps):
        for i in range(states.shape[1]):
            p_on = stats.sigmoid((states @ W[i] + theta[i]) / T)
            states[:, i] = rng.random(states.shape[0]) < p_on
    return states


def bench(n, n_chains, n_sweeps, baseline_chains):
    W, theta = machine(n)
    start = (np.random.default_rng(1).random((n_chains, n)) < 0.5).astype(float)
    header(f"Gibbs sweeps, N = {n} fully connected units, {n_chains} chains x {n_sweeps} sweeps")
    few = start[:baseline_chains]
    straightforward = best_time(lambda: numpy_straightforward(few, W, theta, 1.0, n_sweeps, 2), repeat=3)
    straightforward /= baseline_chains  # per chain
    row(f"NumPy straightforward ({baseline_chains} chains timed)", straightforward, "sweep", n_sweeps)
    vectorised = best_time(lambda: numpy_vectorised(start, W, theta, 1.0, n_sweeps, 2), repeat=3) / n_chains
    row("NumPy, chains vectorised", vectorised, "sweep", n_sweeps, straightforward)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    serial = best_time(lambda: bm.gibbs(start, W, theta, 1.0, n_sweeps, seed=3)) / n_chains
    numba.set_num_threads(threads)
    row("bmlib.bm.gibbs, 1 thread", serial, "sweep", n_sweeps, straightforward)
    parallel = best_time(lambda: bm.gibbs(start, W, theta, 1.0, n_sweeps, seed=3)) / n_chains
    row(f"bmlib.bm.gibbs, {threads} threads", parallel, "sweep", n_sweeps, straightforward)
    print(
        f"  bmlib vs NumPy with chains vectorised: {vectorised / serial:.1f}x (1 thread), "
        f"{vectorised / parallel:.1f}x ({threads} threads)"
    )
    # sanity check that both sample the same distribution: the mean activity per chain agrees
    # within 5 standard errors (chains are independent, so the error bar comes from their spread)
    a = numpy_vectorised(start, W, theta, 1.0, n_sweeps, 2).mean(axis=1)
    b = bm.gibbs(start, W, theta, 1.0, n_sweeps, seed=3).mean(axis=1)
    error = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert abs(a.mean() - b.mean()) < 5 * error, (a.mean(), b.mean(), error)


def main():
    bench(64, 1000, 20, baseline_chains=20)
    bench(256, 200, 10, baseline_chains=4)


if __name__ == "__main__":
    main()
