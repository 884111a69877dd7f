"""How far the digit-classification accuracies of notebook 07 (section 5) move with rounding.

The three logistic regressions of that section run through BLAS, whose rounding differs from
one processor to another (by about 1e-16 relative). This script stands in for another processor
by multiplying the features by 1 + 1e-14 z (z standard normal, a fresh draw per trial; 1e-14 is
a hundred times the rounding) and counts the test digits each fit classifies correctly, once
with scikit-learn's default tolerance (tol=1e-4) and once with the notebook's (tol=1e-6).

    .venv/bin/python tools/classifier_stability.py [--trials 5]

The counts printed for trial 0 are those of the unperturbed features. It takes a few
minutes on one core (2.4 minutes on an AMD EPYC).
"""

import argparse
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from threadpoolctl import threadpool_limits

from bmlib import datasets, rbm


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5, help="fits per tolerance and model (default 5)")
    parser.add_argument("--size", type=float, default=1e-14, help="relative size of the perturbation")
    arguments = parser.parse_args()

    X, y = datasets.nudged_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    with threadpool_limits(limits=1, user_api="blas"):  # as in the notebook
        sklearn_rbm = BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=10, random_state=0)
        sklearn_rbm.fit(X_train)
        bmlib_rbm = rbm.RBM(256, learning_rate=0.05, momentum=0.5, n_epochs=15, random_state=0, monitor=False)
        bmlib_rbm.fit(X_train)
        features = {  # name: (training features, test features, C), the notebook's settings
            "raw pixels": (X_train, X_test, 100.0),
            "sklearn BernoulliRBM (100)": (
                sklearn_rbm.transform(X_train),
                sklearn_rbm.transform(X_test),
                6000.0,
            ),
            "bmlib RBM (256 hidden)": (bmlib_rbm.transform(X_train), bmlib_rbm.transform(X_test), 1000.0),
        }
        generator = np.random.default_rng(1)
        print(
            f"correct test digits out of {len(y_test)}; features times 1 + {arguments.size:g} z in trials 1.."
        )
        for tol in (1e-4, 1e-6):
            for name, (A, B, C) in features.items():
                counts, seconds = [], []
                for trial in range(arguments.trials):
                    size = 0.0 if trial == 0 else arguments.size
                    perturbed = A * (1.0 + size * generator.standard_normal(A.shape))
                    start = time.perf_counter()
                    model = LogisticRegression(solver="newton-cg", C=C, tol=tol).fit(perturbed, y_train)
                    seconds.append(time.perf_counter() - start)
                    counts.append(int(np.sum(model.predict(B) == y_test)))
                spread = max(counts) - min(counts)
                print(
                    f"tol={tol:g}  {name:<28} {' '.join(map(str, counts))}  (spread {spread}, "
                    f"{np.median(seconds):.1f} s a fit)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
