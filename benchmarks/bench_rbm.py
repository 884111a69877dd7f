"""RBM training: bmlib.rbm.RBM against scikit-learn's BernoulliRBM and against a plain NumPy CD-1 loop.

1. scikit-learn's RBM example: the nudged digits (7188 training rows x 64 pixels), 100 hidden
   units, batch 10, learning rate 0.06, 10 epochs, PCD-1 on both sides (BernoulliRBM only does
   PCD-1). First the headline, as a library user meets it: both estimators given only the
   example's hyper-parameters (and random_state), every other argument at its default (RBM's
   monitor="auto", verbose="auto", shuffle=True), timed per whole fit. Then, rows in the given
   order on both sides and RBM's monitoring off, seconds per epoch and their ratio, then the
   pseudo-log-likelihood each model reaches, computed by the same deterministic function
   (bmlib.rbm.pseudo_log_likelihood, every bit) on the training and the test rows.
2. MNIST-sized: 784 visible x 500 hidden, batch 100, CD-1 on random binary data, against the
   CD-1 loop a user would write in NumPy (BLAS products, Generator.random for the samples).
3. Where the fused kernel and the BLAS path cross, which is what kernel="auto" follows.

Both sides of every comparison run in this process on the same data, alternating (baseline, bmlib,
baseline, bmlib, ...) so that a burst of load from other jobs hits both; ratio = baseline / bmlib,
from each side's best time, with the range of the per-round ratios in brackets.
BLAS runs on one thread on both sides, against bmlib's serial kernel (the default, n_jobs=None):
on the course's 2-core machine, shared with other jobs, OpenBLAS's spinning worker threads made
the same NumPy loop take anywhere from 0.2 to 1.2 s, which no ratio survives. Then bmlib with
n_jobs=2 (each minibatch cut in two, run by two threads) is compared with the baseline given
two BLAS threads as well.
"""

import time

import numpy as np
from _timing import alternating, best_time, header
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from threadpoolctl import threadpool_limits

from bmlib import datasets, rbm

EPOCHS = 10


def seconds_per_epoch(fit, epochs, repeat=5):
    return best_time(fit, repeat=repeat) / epochs


def line(label, seconds, baseline=None, ratios=None):
    ratio = f"{baseline / seconds:6.1f}x" if baseline else "  (baseline)"
    spread = f"  [{ratios.min():.1f}-{ratios.max():.1f}x per round]" if ratios is not None else ""
    print(f"  {label:<58} {1e3 * seconds:9.2f} ms/epoch  {ratio}{spread}")


def sklearn_example():
    X, y = datasets.nudged_digits()
    X_train, X_test, _, _ = train_test_split(X, y, test_size=0.2, random_state=0)
    header(f"scikit-learn's RBM example: nudged digits {X_train.shape[0]} x 64, 100 hidden, batch 10, PCD-1")

    def sklearn_fit():
        return BernoulliRBM(
            n_components=100, learning_rate=0.06, batch_size=10, n_iter=EPOCHS, random_state=0
        ).fit(X_train)

    def bmlib_fit(n_jobs=None):
        return rbm.RBM(
            100,
            learning_rate=0.06,
            batch_size=10,
            n_epochs=EPOCHS,
            k=1,
            sampler="pcd",
            random_state=0,
            shuffle=False,
            monitor=False,
            verbose=False,
            n_jobs=n_jobs,
        ).fit(X_train)

    def bmlib_defaults():
        example = {"learning_rate": 0.06, "batch_size": 10, "n_epochs": EPOCHS, "sampler": "pcd"}
        return rbm.RBM(100, **example, random_state=0).fit(X_train)

    theirs, ours = alternating([sklearn_fit, bmlib_defaults], rounds=5)
    line("sklearn BernoulliRBM (the example's settings)", theirs.min() / EPOCHS)
    line(
        "bmlib.rbm.RBM, defaults besides the example's (headline)",
        ours.min() / EPOCHS,
        theirs.min() / EPOCHS,
        theirs / ours,
    )

    theirs, ours = alternating([sklearn_fit, bmlib_fit], rounds=5)
    baseline, fused = theirs.min() / EPOCHS, ours.min() / EPOCHS
    line("sklearn.neural_network.BernoulliRBM", baseline)
    line("bmlib.rbm.RBM(sampler='pcd'), fused kernel", fused, baseline, theirs / ours)

    def bmlib_two_threads():
        return bmlib_fit(n_jobs=2)

    with threadpool_limits(limits=2, user_api="blas"):
        theirs2 = seconds_per_epoch(sklearn_fit, EPOCHS, repeat=3)
    line("sklearn BernoulliRBM, 2 BLAS threads", theirs2)
    theirs1, ours2 = alternating([sklearn_fit, bmlib_two_threads], rounds=5)
    best_theirs = min(theirs.min() / EPOCHS, theirs1.min() / EPOCHS, theirs2)
    line(
        "bmlib.rbm.RBM(sampler='pcd', n_jobs=2)",
        ours2.min() / EPOCHS,
        best_theirs,
        best_theirs * EPOCHS / ours2,
    )
    print("    (against BernoulliRBM's best time on one or two BLAS threads; alternated with the one-thread")
    print("    runs, as OpenBLAS's idle threads keep spinning after a call and slow the next one down)")
    assert np.array_equal(bmlib_fit().W_, bmlib_two_threads().W_), "n_jobs must not change the weights"

    theirs, ours = sklearn_fit(), bmlib_fit()
    their_params = (theirs.components_.T, theirs.intercept_visible_, theirs.intercept_hidden_)
    our_params = (ours.W_, ours.visible_bias_, ours.hidden_bias_)
    print(f"  pseudo-log-likelihood after {EPOCHS} epochs (bmlib.rbm.pseudo_log_likelihood, all 64 bits):")
    for name, rows in [("training rows", X_train), ("test rows", X_test)]:
        print(
            f"    {name:<14} BernoulliRBM {rbm.pseudo_log_likelihood(rows, *their_params):8.3f}"
            f"   bmlib {rbm.pseudo_log_likelihood(rows, *our_params):8.3f}   (nats per image, higher: better)"
        )
    return baseline, fused


def numpy_cd1_epoch(X, W, visible_bias, hidden_bias, learning_rate, batch_size, generator):
    """CD-1 as a user writes it in NumPy: three products, two samples and the update per minibatch."""
    for start in range(0, len(X), batch_size):
        v0 = X[start : start + batch_size]
        h0 = 1.0 / (1.0 + np.exp(-(v0 @ W + hidden_bias)))
        h_sample = (generator.random(h0.shape) < h0).astype(np.float64)
        v1 = 1.0 / (1.0 + np.exp(-(h_sample @ W.T + visible_bias)))
        v1 = (generator.random(v1.shape) < v1).astype(np.float64)
        h1 = 1.0 / (1.0 + np.exp(-(v1 @ W + hidden_bias)))
        step = learning_rate / len(v0)
        W += step * (v0.T @ h0 - v1.T @ h1)
        visible_bias += step * (v0.sum(axis=0) - v1.sum(axis=0))
        hidden_bias += step * (h0.sum(axis=0) - h1.sum(axis=0))


def mnist_sized():
    n_rows, n_visible, n_hidden, batch = 2000, 784, 500, 100
    X = (np.random.default_rng(0).random((n_rows, n_visible)) < 0.15).astype(np.float64)
    header(f"MNIST-sized: {n_rows} random binary rows x {n_visible}, {n_hidden} hidden, batch {batch}, CD-1")

    def numpy_fit(data=X):
        g = np.random.default_rng(1)
        W = g.normal(0.0, 0.01, (n_visible, n_hidden))
        numpy_cd1_epoch(data, W, np.zeros(n_visible), np.zeros(n_hidden), 0.05, batch, g)

    def bmlib_fit(kernel, data=X, n_jobs=None):
        settings = {
            "learning_rate": 0.05,
            "batch_size": batch,
            "n_epochs": 1,
            "random_state": 1,
            "n_jobs": n_jobs,
        }
        return lambda: rbm.RBM(n_hidden, **settings, kernel=kernel, monitor=False, verbose=False).fit(data)

    numpy_times, auto_times, blas_times = alternating(
        [numpy_fit, bmlib_fit("auto"), bmlib_fit("blas")], rounds=5
    )
    baseline, auto, blas = numpy_times.min(), auto_times.min(), blas_times.min()
    line("plain NumPy CD-1 loop", baseline)
    line('bmlib.rbm.RBM, kernel="auto" (fused: 15 % of pixels on)', auto, baseline, numpy_times / auto_times)
    line('bmlib.rbm.RBM, kernel="blas"', blas, baseline, numpy_times / blas_times)

    with threadpool_limits(limits=2, user_api="blas"):
        numpy2 = seconds_per_epoch(numpy_fit, 1, repeat=3)
    line("plain NumPy CD-1 loop, 2 BLAS threads", numpy2)
    numpy1, ours2 = alternating([numpy_fit, bmlib_fit("auto", n_jobs=2)], rounds=5)
    best_numpy = min(baseline, numpy1.min(), numpy2)
    line('bmlib.rbm.RBM, kernel="auto", n_jobs=2', ours2.min(), best_numpy, best_numpy / ours2)
    dense = (np.random.default_rng(2).random((n_rows, n_visible)) < 0.5).astype(np.float64)
    header("the same on dense data (50 % of pixels on), where BLAS wins")
    baseline_dense = seconds_per_epoch(lambda: numpy_fit(dense), 1)
    line("plain NumPy CD-1 loop", baseline_dense)
    auto_dense = seconds_per_epoch(bmlib_fit("auto", dense), 1)
    line('bmlib.rbm.RBM, kernel="auto" (blas)', auto_dense, baseline_dense)
    fused_dense = seconds_per_epoch(bmlib_fit("fused", dense), 1)
    line('bmlib.rbm.RBM, kernel="fused"', fused_dense, baseline_dense)
    return baseline, auto


def crossover():
    header("fused kernel against the BLAS path (CD-1), per shape; 'auto' fuses when batch*n_v*n_h <= 4e6")
    X_all = (np.random.default_rng(0).random((2000, 784)) < 0.15).astype(np.float64)
    for n_visible, n_hidden, batch in [(64, 100, 10), (784, 100, 10), (784, 500, 10), (784, 100, 100)]:
        X = X_all[:, :n_visible]
        times = {}
        for kernel in ("fused", "blas"):
            model = rbm.RBM(
                n_hidden, batch_size=batch, n_epochs=1, random_state=0, kernel=kernel, monitor=False
            )
            times[kernel] = seconds_per_epoch(lambda model=model, X=X: model.fit(X), 1, repeat=3)
        size = batch * n_visible * n_hidden
        print(
            f"  {n_visible:4d} x {n_hidden:3d}, batch {batch:3d} (batch*n_v*n_h {size:>10,}):"
            f"  fused {1e3 * times['fused']:8.2f} ms   blas {1e3 * times['blas']:8.2f} ms"
            f"   -> {'fused' if times['fused'] < times['blas'] else 'blas'} faster"
        )


def main():
    tic = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        sklearn_example()
        mnist_sized()
        crossover()
    print(f"(whole benchmark: {time.perf_counter() - tic:.0f} s)")


if __name__ == "__main__":
    main()
