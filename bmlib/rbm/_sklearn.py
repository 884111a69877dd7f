"""What :class:`bmlib.rbm.RBM` needs to be a scikit-learn estimator (private).

- :func:`data`: the estimator's input checks, through scikit-learn's own ``validate_data`` (so
  the errors for 1-D, empty, complex, object or wrong-width input are worded as scikit-learn's
  tooling expects, and ``n_features_in_``/``feature_names_in_`` are kept), followed by the
  RBM's own rule that data lie in [0, 1];
- :func:`generator`: ``random_state`` (int, RandomState, Generator or None) as a Generator;
- :func:`show_progress`: what ``verbose`` means, and the quiet default inside scikit-learn's
  meta-estimators.

The range rule. Training data must lie in [0, 1] (binary units, or probabilities of being
on). ``MinMaxScaler`` computes ``X * scale + min`` and can land a few ulps outside
(1.0000000000000002); in ``fit`` and ``partial_fit`` such overshoots, up to :data:`ROUNDING`
beyond either end, are clipped to [0, 1] in a copy, and larger departures raise (data that
were never scaled). ``transform``, ``score_samples`` and ``score`` clip any finite values to
[0, 1]: data scaled with the training data's range (a cross-validation fold, new samples, a
pixel that was constant in the training fold) can fall outside it, and a unit cannot be more
than always on or less than never on; BernoulliRBM likewise transforms any real data.
"""

import sys

import numpy as np
from sklearn.utils.validation import validate_data

from bmlib import progress, rng

ROUNDING = 8 * np.finfo(np.float64).eps  # 1.8e-15: a few ulps of 1.0, what rounding produces
MARGIN = np.inf  # transform, score_samples and score clip whatever finite values they get

_META_MODULES = ("sklearn.model_selection", "sklearn.utils.parallel", "joblib")


def data(estimator, X, *, reset, margin=ROUNDING):
    """Return X as a writable C-contiguous float64 array in [0, 1], and X's dtype (float32 or
    float64, for the output of ``transform``); set ``n_features_in_`` when ``reset``."""
    X = validate_data(estimator, X, reset=reset, dtype=(np.float64, np.float32))
    dtype = X.dtype
    X = np.require(X, np.float64, ["C", "W"])  # a read-only array is copied (one kernel per dtype)
    low, high = X.min(), X.max()
    if low < 0.0 or high > 1.0:
        if low < -margin or high > 1.0 + margin:
            raise ValueError(
                "X must hold values in [0, 1] (binary units, or probabilities of being on), found "
                f"values from {float(low)!r} to {float(high)!r}; scale it first, for example with "
                "sklearn.preprocessing.MinMaxScaler(clip=True)"
            )
        X = np.clip(X, 0.0, 1.0)  # a new array: the caller's is not modified
    return X, dtype


def generator(random_state):
    """``random_state`` as a numpy Generator: an int gives the same streams as ``seed`` with that
    int everywhere in bmlib; a RandomState gives an int seed drawn from it; None, fresh entropy."""
    if isinstance(random_state, np.random.RandomState):
        random_state = int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, (bool, np.bool_)) or not (
        random_state is None or isinstance(random_state, (int, np.integer, np.random.Generator))
    ):
        raise TypeError(
            "random_state must be None, an int, a numpy.random.RandomState or a numpy.random.Generator, "
            f"got {type(random_state).__name__}"
        )
    return rng.as_generator(random_state)


def show_progress(verbose):
    """True when ``fit`` should draw its progress line.

    verbose : bool, int >= 0 or "auto"
        True or an int >= 1: always; False or 0: never. "auto": when a person is watching (a
        terminal, or a Jupyter frontend that accepts input; see :mod:`bmlib.progress`) and the
        fit is not one of many run by a scikit-learn meta-estimator (GridSearchCV,
        cross_val_score and other model-selection tools, or joblib workers), which fit the model
        again and again.
    """
    if isinstance(verbose, str) and verbose == "auto":
        return progress.interactive() and not _inside_meta_estimator()
    if isinstance(verbose, (bool, np.bool_)):
        return bool(verbose)
    if isinstance(verbose, (int, np.integer)) and verbose >= 0:
        return verbose > 0
    raise ValueError(f"verbose must be True, False, an int >= 0 or 'auto', got {verbose!r}")


def _inside_meta_estimator():
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(_META_MODULES):
            return True
        frame = frame.f_back
    return False
