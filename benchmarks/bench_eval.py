"""Evaluating RBMs: exact log Z and annealed importance sampling, against plain NumPy versions.

1. Exact log Z of a 64 x 20 RBM (2^20 hidden states): bmlib.rbm.log_partition(method="exact")
   (tables of exp over the two halves of the hidden layer, so no exp per state; parallel over
   one half) against the NumPy a user would write: the hidden states in blocks of 2^14 rows, one
   BLAS product and np.logaddexp per block.
2. AIS for a 64 x 100 RBM, 100 runs x 10,000 temperatures (Salakhutdinov & Murray's setting):
   bmlib.rbm.log_partition(method="ais") (one run per random stream, runs spread over the
   threads, a vectorized exp) against AIS in NumPy with the 100 runs as the rows of one matrix
   (two BLAS products per temperature), which is how the reference MATLAB code is written. That
   baseline is already efficient (its per-temperature work is 100 x 64 x 100 matrix products).

The RBMs are trained on the digits (PCD-1, 10 epochs), so both sides estimate a real log Z, and
both answers are printed. Both sides run in this process on the same parameters, alternating
(baseline, bmlib, baseline, ...) so that load from other jobs hits both; ratio = baseline / bmlib
from each side's best time, with the range of the per-round ratios in brackets. NumPy's BLAS
runs on one thread (see bench_rbm.py: on the course's shared 2-core machine OpenBLAS's spinning
threads make NumPy timings erratic); bmlib's kernels use every Numba thread.
"""

import time

import numpy as np
from _timing import header
from threadpoolctl import threadpool_limits

from bmlib import datasets, rbm


def numpy_log_partition(W, visible_bias, hidden_bias, block=1 << 14):
    """log Z = logsumexp over h of c.h + sum_i softplus(b_i + (W h)_i), 2^14 hidden states at a time."""
    n_hidden = W.shape[1]
    codes = np.arange(2**n_hidden)
    terms = []
    for start in range(0, 2**n_hidden, block):
        H = ((codes[start : start + block, None] >> np.arange(n_hidden)) & 1).astype(np.float64)
        terms.append(H @ hidden_bias + np.logaddexp(0.0, H @ W.T + visible_bias).sum(axis=1))
    terms = np.concatenate(terms)
    m = terms.max()
    return m + np.log(np.exp(terms - m).sum())


def numpy_ais(W, visible_bias, hidden_bias, base_bias, betas, n_runs, seed):
    """AIS with the runs as rows: log Z_A + log mean exp(log w), and its standard error."""
    g = np.random.default_rng(seed)

    def log_tempered(A, linear_base, linear_model, beta):
        # log p*_beta(v) = (1 - beta) b_A.v + beta b.v + sum_j softplus(beta a_j)
        return (1 - beta) * linear_base + beta * linear_model + np.logaddexp(0.0, beta * A).sum(axis=1)

    V = (g.random((n_runs, W.shape[0])) < 1 / (1 + np.exp(-base_bias))).astype(np.float64)
    log_w = np.zeros(n_runs)
    for k in range(1, len(betas)):
        A = V @ W + hidden_bias
        linear_base, linear_model = V @ base_bias, V @ visible_bias
        log_w += log_tempered(A, linear_base, linear_model, betas[k])
        log_w -= log_tempered(A, linear_base, linear_model, betas[k - 1])
        if k == len(betas) - 1:
            break
        beta = betas[k]
        H = (g.random(A.shape) < 1 / (1 + np.exp(-beta * A))).astype(np.float64)
        x = beta * (H @ W.T + visible_bias) + (1 - beta) * base_bias
        V = (g.random(V.shape) < 1 / (1 + np.exp(-x))).astype(np.float64)
    log_z_base = W.shape[1] * np.log(2) + np.logaddexp(0.0, base_bias).sum()
    m = log_w.max()
    w = np.exp(log_w - m)
    return log_z_base + m + np.log(w.mean()), w.std(ddof=1) / (np.sqrt(n_runs) * w.mean())


def alternating(baseline, ours, rounds, warm_up=True):
    """Time ``baseline`` and ``ours`` in turn, ``rounds`` times (ours warmed up first).

    Returns (baseline seconds per round, ours per round, baseline's last result, ours' last result).
    """
    if warm_up:
        ours()
    times = ([], [])
    results = [None, None]
    for _ in range(rounds):
        for k, function in enumerate((baseline, ours)):
            tic = time.perf_counter()
            results[k] = function()
            times[k].append(time.perf_counter() - tic)
    return np.array(times[0]), np.array(times[1]), results[0], results[1]


def line(label, seconds, value, baseline=None, ratios=None):
    ratio = f"{baseline / seconds:6.1f}x" if baseline else "  (baseline)"
    spread = f"  [{ratios.min():.1f}-{ratios.max():.1f}x per round]" if ratios is not None else ""
    print(f"  {label:<52} {seconds:8.3f} s   {value:<26} {ratio}{spread}")


def trained(n_hidden, X):
    model = rbm.RBM(n_hidden, learning_rate=0.05, n_epochs=10, sampler="pcd", random_state=0, monitor=False)
    model.fit(X)
    return model.W_, model.visible_bias_, model.hidden_bias_


def exact(X):
    params = trained(20, X)
    header("exact log Z of a 64 x 20 RBM trained on the digits (2^20 hidden states)")
    theirs, ours, their_value, value = alternating(
        lambda: numpy_log_partition(*params), lambda: rbm.log_partition(*params), rounds=4
    )
    baseline, seconds = theirs.min(), ours.min()
    line("NumPy: blocks of 2^14 states, BLAS + logaddexp", baseline, f"log Z = {their_value:.6f}")
    line('bmlib.rbm.log_partition(method="exact")', seconds, f"log Z = {value:.6f}", baseline, theirs / ours)
    return baseline, seconds


def ais(X):
    params = trained(100, X)
    betas, n_runs = rbm.ais_schedule(10_000), 100
    header(f"AIS for a 64 x 100 RBM trained on the digits: {n_runs} runs x {len(betas):,} temperatures")
    base = rbm.base_rate_bias(X)
    theirs, ours, (their_value, their_error), (value, error) = alternating(
        lambda: numpy_ais(*params, base, betas, n_runs, seed=0),
        lambda: rbm.log_partition(*params, method="ais", X=X, n_runs=n_runs, betas=betas, seed=0),
        rounds=3,
    )
    baseline, seconds = theirs.min(), ours.min()
    line("NumPy: the 100 runs as matrix rows", baseline, f"log Z = {their_value:.3f} +- {their_error:.3f}")
    line(
        'bmlib.rbm.log_partition(method="ais")',
        seconds,
        f"log Z = {value:.3f} +- {error:.3f}",
        baseline,
        theirs / ours,
    )
    return baseline, seconds


def main():
    tic = time.perf_counter()
    X, _ = datasets.digits()
    with threadpool_limits(limits=1, user_api="blas"):
        exact(X)
        ais(X)
    print(f"(whole benchmark: {time.perf_counter() - tic:.0f} s)")


if __name__ == "__main__":
    main()
