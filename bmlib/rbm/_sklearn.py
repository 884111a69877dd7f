"""What :class:`bmlib.rbm.RBM` needs to be a scikit-learn estimator (private).

- :func:`data`: the estimator's input checks, through scikit-learn's own ``validate_data`` (so
  the errors for 1-D, empty, complex, object or wrong-width input are worded as scikit-learn's
  tooling expects, and ``n_features_in_``/``feature_names_in_`` are kept), followed by the
  RBM's own rule that data lie in [0, 1];
- sparse CSR/CSC input (:func:`blocks`, :func:`row_blocks`, :func:`rows`): X stays sparse, and
  the estimator makes dense only a block of rows at a time (about :data:`BLOCK_VALUES` values),
  which the kernels, written for dense rows, then train on or transform. A block holds whole
  minibatches in training order, and the kernels are told which block ends the epoch, so a
  sparse X gives the same weights as its dense equivalent bit for bit however many blocks it
  takes;
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
import scipy.sparse
from sklearn.utils.validation import validate_data

from bmlib import progress, rng

ROUNDING = 8 * np.finfo(np.float64).eps  # 1.8e-15: a few ulps of 1.0, what rounding produces
BLOCK_VALUES = 2**22  # values in one dense block of a sparse X (32 MiB of float64)
MARGIN = np.inf  # transform, score_samples and score clip whatever finite values they get

_META_MODULES = ("sklearn.model_selection", "sklearn.utils.parallel", "joblib")


def data(estimator, X, *, reset, margin=ROUNDING):
    """Return X as a writable C-contiguous float64 array (or a float64 CSR matrix) in [0, 1], and
    X's dtype (float32 or float64, for the output of ``transform``); set ``n_features_in_`` when
    ``reset``."""
    X = validate_data(estimator, X, reset=reset, dtype=(np.float64, np.float32), accept_sparse=("csr", "csc"))
    dtype = X.dtype
    if scipy.sparse.issparse(X):
        X = X.tocsr().astype(np.float64, copy=False)
        values = X.data if X.nnz else np.zeros(1)
        low, high = min(values.min(), 0.0), max(values.max(), 0.0)
        if low < 0.0 or high > 1.0:
            _check_range(low, high, margin)
            X = X.copy()
            X.data = np.clip(X.data, 0.0, 1.0)
        return X, dtype
    X = np.require(X, np.float64, ["C", "W"])  # a read-only array is copied (one kernel per dtype)
    low, high = X.min(), X.max()
    if low < 0.0 or high > 1.0:
        _check_range(low, high, margin)
        X = np.clip(X, 0.0, 1.0)  # a new array: the caller's is not modified
    return X, dtype


def _check_range(low, high, margin):
    if low < -margin or high > 1.0 + margin:
        raise ValueError(
            "X must hold values in [0, 1] (binary units, or probabilities of being on), found "
            f"values from {float(low)!r} to {float(high)!r}; scale it first, for example with "
            "sklearn.preprocessing.MinMaxScaler(clip=True)"
        )


def rows(X, index):
    """The rows ``index`` of X as a dense float64 array."""
    return X[index].toarray() if scipy.sparse.issparse(X) else X[index]


def count_nonzero(X):
    return np.count_nonzero(X.data) if scipy.sparse.issparse(X) else np.count_nonzero(X)


def is_binary(X):
    values = X.data if scipy.sparse.issparse(X) else X
    return bool(np.all((values == 0.0) | (values == 1.0)))


def _block_rows(X, batch_size=1):
    return max(1, BLOCK_VALUES // max(X.shape[1], 1) // batch_size) * batch_size


def column_mean(X):
    """X.mean(axis=0), summed row after row as NumPy does, so a sparse X gives the same bits."""
    if not scipy.sparse.issparse(X):
        return X.mean(axis=0)
    total, step = np.zeros(X.shape[1]), _block_rows(X)
    for start in range(0, X.shape[0], step):
        total = np.vstack([total[np.newaxis], X[start : start + step].toarray()]).sum(axis=0)
    return total / X.shape[0]


def blocks(X, order, batch_size):
    """(dense rows, their order, whether this block ends the epoch) for an epoch over ``order``:
    X itself when dense, else blocks of whole minibatches, each made dense in turn."""
    if not scipy.sparse.issparse(X):
        yield X, order, True
        return
    step = _block_rows(X, batch_size)
    for start in range(0, len(order), step):
        index = order[start : start + step]
        yield X[index].toarray(), np.arange(len(index), dtype=np.int64), start + step >= len(order)


def row_blocks(X):
    """X in dense blocks of rows (X itself when dense)."""
    if not scipy.sparse.issparse(X):
        yield X
        return
    step = _block_rows(X)
    for start in range(0, X.shape[0], step):
        yield X[start : start + step].toarray()


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
