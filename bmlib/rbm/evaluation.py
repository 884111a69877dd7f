"""How good is an RBM? Exact log Z, the log-likelihood, and two cheap proxies.

:func:`log_partition` computes log Z exactly by summing over the smaller layer (up to
``EXACT_LIMIT`` = 20 units), or estimates it by annealed importance sampling
(:mod:`bmlib.rbm.ais`), with a standard error. :func:`log_likelihood` turns either into the
average log p(v) = -F(v) - log Z of binary data. :func:`pseudo_log_likelihood` and
:func:`reconstruction_error` need no Z, and :func:`visible_distribution` enumerates the exact
marginal of a small model.
"""

import numpy as np
from numba import njit, prange

from bmlib import _validate
from bmlib.rbm import _checks
from bmlib.rbm._log_partition import exact_log_partition
from bmlib.rbm.ais import ais_log_weights, base_rate_bias
from bmlib.rbm.model import free_energy, reconstruct
from bmlib.stats import logsumexp, softplus

EXACT_LIMIT = 20


"""Largest min(n_visible, n_hidden) for which exact log Z is computed (2^20 terms)."""


@njit(cache=True, parallel=True)
def pseudo_log_likelihood_rows(X, W, visible_bias, hidden_bias):
    """sum_i log P(v_i | v_-i) = sum_i log sigmoid(F(v with v_i -> 1 - v_i) - F(v)) for each row."""
    n_rows, n_visible = X.shape
    n_hidden = W.shape[1]
    out = np.empty(n_rows)
    for r in prange(n_rows):
        a = hidden_bias.copy()
        for i in range(n_visible):
            if X[r, i] != 0.0:
                for j in range(n_hidden):
                    a[j] += X[r, i] * W[i, j]
        linear = 0.0
        for i in range(n_visible):
            linear += visible_bias[i] * X[r, i]
        free = -linear
        for j in range(n_hidden):
            free -= softplus(a[j])
        total = 0.0
        for i in range(n_visible):
            d = 1.0 - 2.0 * X[r, i]  # change of v_i when it is flipped
            flipped = -(linear + visible_bias[i] * d)
            for j in range(n_hidden):
                flipped -= softplus(a[j] + d * W[i, j])
            # log sigmoid(x) = -softplus(-x)
            total -= softplus(free - flipped)
        out[r] = total
    return out


def pseudo_log_likelihood(X, W, visible_bias, hidden_bias):
    """Average pseudo-log-likelihood sum_i log P(v_i | v_-i), over every bit (deterministic).

    Each term is log P(v_i | all other units) = log sigmoid(F(v~) - F(v)) with v~ the vector v
    with unit i flipped (v_i -> 1 - v_i). Unlike scikit-learn's ``score_samples`` (which flips
    one random bit per row and multiplies by n_visible), every bit is used, so the value is
    exact and the same on every call. For grey-level data the same formula is applied with
    v_i -> 1 - v_i (as scikit-learn does). Cost: n_visible free energies per row.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_visible), values in [0, 1]
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    float
        The mean over rows (nats per vector; 0 is perfect, -n_visible log 2 is a coin).
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    X = _checks.units("X", X, W.shape[0])
    return float(pseudo_log_likelihood_rows(X, W, visible_bias, hidden_bias).mean())


def reconstruction_error(X, W, visible_bias, hidden_bias):
    """Average squared reconstruction error sum_i (x_i - x'_i)^2 with x' = :func:`reconstruct`.

    Easy to compute and to watch, but *not* the objective: an RBM with huge weights can
    reconstruct well and still give the data a low likelihood (see notebook 06).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_visible), values in [0, 1]
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    float
        Mean over rows of the squared error summed over the visible units.
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    X = _checks.units("X", X, W.shape[0])
    return float(((X - reconstruct(X, W, visible_bias, hidden_bias)) ** 2).sum(axis=1).mean())


def visible_distribution(W, visible_bias, hidden_bias):
    """The RBM's exact marginal p(v) = exp(-F(v)) / Z over all 2^n_visible binary vectors.

    The states are in code order, as :func:`bmlib.exact.states_by_code` lists them: entry k is
    the vector whose unit i is bit i of k. Z is the sum of exp(-F(v)) over those same states, so
    the result sums to 1 (to rounding). Small models only: 2^n_visible free energies.

    Parameters
    ----------
    W, visible_bias, hidden_bias : the RBM's parameters, n_visible <= 20

    Returns
    -------
    ndarray of shape (2**n_visible,)
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    n_visible = W.shape[0]
    if n_visible > EXACT_LIMIT:
        raise ValueError(
            f"visible_distribution enumerates 2^n_visible states: n_visible must be <= EXACT_LIMIT = "
            f"{EXACT_LIMIT}, got {n_visible}"
        )
    codes = np.arange(2**n_visible, dtype=np.int64)
    minus_free = np.empty(codes.size)
    for start in range(0, codes.size, 1 << 14):  # blocks of 2^14 states bound the memory
        block = codes[start : start + (1 << 14)]
        states = ((block[:, None] >> np.arange(n_visible)) & 1).astype(np.float64)
        minus_free[start : start + block.size] = -free_energy(states, W, visible_bias, hidden_bias)
    return np.exp(minus_free - logsumexp(minus_free))


def log_likelihood(
    X, W, visible_bias, hidden_bias, method="exact", *, log_z=None, n_runs=100, betas=None, seed=None
):
    """Average log-likelihood (1/N) sum_n log p(x_n) = -mean F(x_n) - log Z over the rows of X.

    p(v) = exp(-F(v)) / Z is a probability distribution over *binary* vectors v, so X must hold
    only 0s and 1s: for grey levels -F(x) - log Z is a number but not a log-probability, and a
    ValueError says so (binarize such data first).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_visible), values 0 or 1
    W, visible_bias, hidden_bias : the RBM's parameters
    method : {"exact", "ais"}
        How log Z is found (see :func:`log_partition`): "exact" needs
        min(n_visible, n_hidden) <= EXACT_LIMIT; "ais" estimates it with X as the base-rate data.
    log_z : float or None
        A log Z computed before (from :func:`log_partition`), in [-1e300, 1e300]; then ``method``
        is not used.
    n_runs, betas, seed : AIS settings, see :func:`log_partition`.

    Returns
    -------
    float
        With ``method="exact"`` or a given ``log_z``.
    (float, float)
        With ``method="ais"``: the estimate and the standard error of its log Z.
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    X = _checks.binary_units("X", X, W.shape[0])
    mean_free_energy = float(free_energy(X, W, visible_bias, hidden_bias).mean())
    if log_z is not None:
        if isinstance(log_z, bool) or np.ndim(log_z) != 0:
            raise TypeError(f"log_z must be a single number, got {_validate.show(log_z)}")
        log_z = float(_validate.real_array("log_z", log_z))
        if abs(log_z) > _checks.ENERGY_LIMIT:  # then -F - log Z could overflow
            raise ValueError(f"log_z must be between -1e300 and 1e300 (as log Z of an RBM is), got {log_z!r}")
        return -mean_free_energy - log_z
    if _method(method) == "exact":
        return -mean_free_energy - log_partition(W, visible_bias, hidden_bias, method="exact")
    estimate, error = log_partition(
        W, visible_bias, hidden_bias, method="ais", X=X, n_runs=n_runs, betas=betas, seed=seed
    )
    return -mean_free_energy - estimate, error


def _method(method):
    if not isinstance(method, str) or method not in ("exact", "ais"):
        raise ValueError(f"method must be 'exact' or 'ais', got {_validate.show(method)}")
    return method


def log_partition(W, visible_bias, hidden_bias, method="exact", *, X=None, n_runs=100, betas=None, seed=None):
    """log Z = log sum_{v,h} exp(-E(v, h)), exactly or by annealed importance sampling.

    ``method="exact"``: enumerate the smaller layer. With the hidden layer enumerated,
    log Z = logsumexp over h of (c.h + sum_i softplus(b_i + (W h)_i)); with the visible layer,
    logsumexp over v of -F(v). 2^m terms for m = min(n_visible, n_hidden) <= ``EXACT_LIMIT``:
    up to 2^14 walked in Gray-code order (one row of W added per state); beyond, the enumerated
    layer is split in two halves whose exp(fields) are tabulated once, so each term costs
    multiplications and no exp (64 x 20: about 0.07 s on two cores).

    ``method="ais"``: annealed importance sampling (Neal 2001) as Salakhutdinov and Murray
    (2008) apply it to RBMs. The intermediate distributions over v, for 0 = beta_0 < ... <
    beta_K = 1, are

        p*_k(v) = exp((1 - beta_k) b_A.v + beta_k b.v) prod_j (1 + exp(beta_k (c_j + (v W)_j))),

    from the base-rate RBM A (no weights, visible biases b_A, Z_A = 2^n_hidden prod_i (1 +
    exp(b_A_i))) at beta = 0 to the RBM (p*_K(v) = exp(-F(v))) at beta = 1. Each run draws
    v_0 ~ p_0, and moves v with one block Gibbs step that leaves p_k invariant, accumulating
    log w = sum_k [log p*_k(v_{k-1}) - log p*_{k-1}(v_{k-1})]. E[w] = Z / Z_A, so

        log Z ~ log Z_A + log( (1/R) sum_r w_r ),

    (a log-mean-exp over the R runs) with standard error s(w) / (sqrt(R) mean(w)) from the
    delta method. Because of the log, the estimate is biased low, by about half its variance:
    when the standard error is small (< 0.1 nat) the bias is negligible; when the weights are
    dominated by one run, both the estimate and its error bar are unreliable (more betas).
    Run r uses random streams 4r..4r+3 of ``seed`` and the runs are spread over threads, so the
    result depends on the seed alone.

    Parameters
    ----------
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)
    hidden_bias : array_like of shape (n_hidden,)
    method : {"exact", "ais"}
    X : array_like of shape (n_samples, n_visible) or None
        AIS only: data whose column means set the base-rate biases b_A (:func:`base_rate_bias`).
        None: b_A = 0, the uniform distribution (much slower to converge for a trained model).
    n_runs : int
        AIS only: number of independent runs R, from 1 to 10**7 (100 is usual; >= 2 for an error
        bar; the error falls as 1 / sqrt(R), and each run's random streams take 128 bytes).
    betas : array_like of shape (K + 1,) or None
        AIS only: the schedule, strictly increasing from exactly 0 to exactly 1. None:
        :func:`ais_schedule` (10,000 betas).
    seed : int, numpy.random.Generator or None
        AIS only.

    Returns
    -------
    float
        ``method="exact"``: log Z.
    (float, float)
        ``method="ais"``: the estimate of log Z and its standard error (nan for one run).

    References
    ----------
    R. M. Neal, "Annealed importance sampling", Statistics and Computing 11 (2001) 125-139.
    R. Salakhutdinov and I. Murray, "On the quantitative analysis of deep belief networks",
    ICML 2008.
    """
    if _method(method) == "exact":
        W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
        n_visible, n_hidden = W.shape
        if min(n_visible, n_hidden) > EXACT_LIMIT:
            raise ValueError(
                f"exact log Z needs 2^min(n_visible, n_hidden) terms; min({n_visible}, {n_hidden}) "
                f"> EXACT_LIMIT = {EXACT_LIMIT}: use method='ais' to estimate it"
            )
        if n_hidden <= n_visible:
            # enumerate h: terms c.h + sum_i softplus(b_i + (W h)_i), with W^T of shape (n_hidden, n_visible)
            return float(exact_log_partition(np.ascontiguousarray(W.T), hidden_bias, visible_bias))
        return float(exact_log_partition(W, visible_bias, hidden_bias))
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    base_bias = None if X is None else base_rate_bias(_checks.units("X", X, W.shape[0]))
    log_weights, log_z_base = ais_log_weights(
        W, visible_bias, hidden_bias, n_runs=n_runs, betas=betas, base_bias=base_bias, seed=seed
    )
    return _log_mean_exp(log_weights, log_z_base)


def _log_mean_exp(log_weights, offset=0.0):
    """(offset + log mean exp(log_weights), its delta-method standard error)."""
    m = log_weights.max()
    w = np.exp(log_weights - m)
    estimate = offset + m + np.log(w.mean())
    if w.size < 2:
        return float(estimate), float("nan")
    return float(estimate), float(w.std(ddof=1) / (np.sqrt(w.size) * w.mean()))
