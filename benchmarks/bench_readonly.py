"""A read-only argument costs no second compilation (issue #17 item 1).

Numba compiles a separate specialisation of a kernel for read-only arrays, which cost 7-60 s on
the first call with an array from np.broadcast_to, np.load(mmap_mode="r") or pandas. bmlib's
input checks copy read-only arrays instead. This prints, for each function the issue named, the
median time of a call with a read-only argument against the same call with a writeable one,
after both have been called once, alternating 15 rounds in one process.

    python benchmarks/bench_readonly.py
"""

import numpy as np
from _timing import alternating, header

from bmlib import datasets, rbm


def _frozen(array):
    array = array.copy()
    array.setflags(write=False)
    return array


def main():
    header("read-only against writeable arguments, second and later calls (median of 15)")
    X = datasets.digits(binarize=0.5)[0][:200]
    W = np.random.default_rng(0).normal(0.0, 0.01, (64, 16))
    b, c = np.zeros(64), np.zeros(16)
    betas = rbm.ais_schedule(200)
    cases = {
        "rbm.cd_update, read-only v": lambda v: rbm.cd_update(v, W.copy(), b.copy(), c.copy(), seed=0),
        'rbm.log_partition(method="ais"), read-only visible_bias': lambda bias: rbm.log_partition(
            W, bias, c, method="ais", X=X, n_runs=16, betas=betas, seed=0
        ),
        "rbm.ais_log_weights, read-only visible_bias": lambda bias: rbm.ais_log_weights(
            W, bias, c, n_runs=16, betas=betas, seed=0
        ),
        "rbm.gibbs, read-only W": lambda weights: rbm.gibbs(X, weights, b, c, k=1, seed=0),
    }
    arguments = {"v": X, "visible_bias": b, "W": W}
    for label, call in cases.items():
        array = arguments[label.split("read-only ")[1]]
        writeable, read_only = alternating(
            [lambda c=call, a=array: c(a.copy()), lambda c=call, a=array: c(_frozen(a))], rounds=15
        )
        ratio = np.median(read_only) / np.median(writeable)
        print(
            f"  {label:<56} writeable {1e3 * np.median(writeable):7.3f} ms  "
            f"read-only {1e3 * np.median(read_only):7.3f} ms  ratio {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
