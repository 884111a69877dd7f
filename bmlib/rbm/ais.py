"""Annealed importance sampling (AIS) estimates of log Z.

AIS (Neal 2001; Salakhutdinov and Murray 2008) moves from a base-rate RBM p_0, whose
partition function is known, to the model p_K through the intermediate distributions
p_k ~ p_0^(1 - beta_k) p_K^(beta_k), 0 = beta_0 < ... < beta_K = 1. One run draws v_0 from
p_0, then for each k adds log p*_k(v) - log p*_(k-1)(v) to its log weight and moves v with one
Gibbs transition that leaves p_k invariant. The mean of the weights estimates Z_K / Z_0;
:func:`ais_run_reference` writes one run out, and the fast kernels of ``rbm._ais`` are tested
against it.

References
----------
R. M. Neal, "Annealed importance sampling", Statistics and Computing 11 (2001) 125-139.
R. Salakhutdinov and I. Murray, "On the quantitative analysis of deep belief networks", ICML 2008.
"""

import numpy as np

from bmlib import _validate, rng
from bmlib.rbm import _checks
from bmlib.rbm._ais import ais_runs, group_table
from bmlib.stats import sigmoid, softplus

__all__ = ["ais_schedule", "base_rate_bias", "ais_log_weights", "ais_run_reference"]

_RUNS_WHY = "the error falls as 1 / sqrt(n_runs), and each run's streams take 128 bytes"


def ais_schedule(n_betas=10_000):
    """The default AIS schedule: inverse temperatures 0 = beta_0 < ... < beta_K = 1.

    Salakhutdinov and Murray (2008) space the betas uniformly in three pieces, densest near 1
    where the model's distribution changes fastest: here 10 % of the steps in [0, 0.5], 40 % in
    [0.5, 0.9] and 50 % in [0.9, 1] (their 14,500 betas split 500 / 4,000 / 10,000).

    Parameters
    ----------
    n_betas : int
        Number of inverse temperatures including 0 and 1, from 10 to 10**8 (7,000 times the 14,500
        of Salakhutdinov and Murray; a longer schedule alone takes gigabytes).

    Returns
    -------
    ndarray of shape (n_betas,)
    """
    n_betas = _checks.positive_int(
        "n_betas", n_betas, minimum=10, maximum=10**8, why="a longer schedule alone takes gigabytes"
    )
    n1, n2 = n_betas // 10, (4 * n_betas) // 10
    n3 = n_betas - n1 - n2
    return np.concatenate(
        [
            np.linspace(0.0, 0.5, n1, endpoint=False),
            np.linspace(0.5, 0.9, n2, endpoint=False),
            np.linspace(0.9, 1.0, n3),
        ]
    )


def _betas(betas):
    if betas is None:
        return ais_schedule()
    betas = np.ascontiguousarray(_validate.real_array("betas", betas))
    if betas.ndim != 1 or betas.size < 2:
        raise ValueError(
            f"betas must be a 1-D schedule of at least 2 inverse temperatures, got shape {betas.shape}"
        )
    if betas[0] != 0.0 or betas[-1] != 1.0:
        raise ValueError(f"betas must start at 0 and end at 1, got {betas[0]:g} ... {betas[-1]:g}")
    if np.any(np.diff(betas) <= 0.0):
        raise ValueError("betas must be strictly increasing")
    return betas


def base_rate_bias(X):
    """Visible biases of the *base-rate* RBM: b_A_i = log(p_i / (1 - p_i)), p_i the mean of column i.

    The base-rate model (no weights, visible biases fitted to the data, the hidden units free)
    is the starting distribution of AIS in Salakhutdinov and Murray (2008); the closer it is
    to the RBM, the fewer temperatures AIS needs. p_i is clipped to [0.001, 0.999].

    Parameters
    ----------
    X : array_like of shape (n_samples, n_visible), values in [0, 1]

    Returns
    -------
    ndarray of shape (n_visible,)
    """
    X = _checks.units("X", X)
    p = np.clip(X.mean(axis=0), 0.001, 0.999)
    return np.log(p / (1.0 - p))


def ais_run_reference(W, visible_bias, hidden_bias, betas, base_bias, streams):
    """One AIS run, written out; returns its log importance weight.

    The readable version of one run of :func:`ais_log_weights` (whose kernel is tested against
    it), drawing the same random numbers: ``streams`` holds the run's four xoshiro256** streams
    (rows 4r..4r+3 of the states :func:`ais_log_weights` draws from), and unit i of a layer
    takes the (i // 4)-th number of stream i % 4. They are advanced in place.

    Parameters
    ----------
    W, visible_bias, hidden_bias : the RBM (p_K)
    betas : array_like, increasing from 0 to 1
    base_bias : array_like of shape (n_visible,)
        The visible biases b_A of the base-rate RBM p_0 (no weights, no hidden biases).
    streams : ndarray of shape (4, 4), dtype uint64

    Returns
    -------
    float
        log w = sum_k [log p*_k(v_(k-1)) - log p*_(k-1)(v_(k-1))].
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    betas = _betas(betas)
    base_bias = _validate.real_array("base_bias", base_bias)
    if base_bias.shape != visible_bias.shape:
        raise ValueError(
            f"base_bias must have shape {visible_bias.shape} (n_visible of W), got {base_bias.shape}"
        )
    if not (isinstance(streams, np.ndarray) and streams.dtype == np.uint64 and streams.shape == (4, 4)):
        raise ValueError("streams must be a (4, 4) uint64 array of xoshiro256** states (see bmlib.rng)")
    if not streams.flags.writeable:
        raise ValueError("streams must be writable: they are advanced in place")
    _checks.bounded_size(
        [("W", W), ("visible_bias", visible_bias), ("hidden_bias", hidden_bias), ("base_bias", base_bias)]
    )

    def uniform(n):  # one number per unit: unit i takes the (i // 4)-th number of stream i % 4
        numbers = [[rng.next_double(streams, lane) for lane in range(4)] for _ in range(-(-n // 4))]
        return np.array(numbers).ravel()[:n]

    def log_p_star(v, beta):  # log of the unnormalised p_beta(v), the hidden units summed out
        fields = beta * (hidden_bias + v @ W)
        return (1.0 - beta) * (base_bias @ v) + beta * (visible_bias @ v) + softplus(fields).sum()

    v = (uniform(len(base_bias)) < sigmoid(base_bias)).astype(float)  # v ~ p_0
    log_w = 0.0
    for k in range(1, len(betas)):
        log_w += log_p_star(v, betas[k]) - log_p_star(v, betas[k - 1])
        if k == len(betas) - 1:
            break
        # one Gibbs step that leaves p_k invariant: h ~ P_k(h | v), then v ~ P_k(v | h)
        beta = betas[k]
        h = (uniform(len(hidden_bias)) < sigmoid(beta * (hidden_bias + v @ W))).astype(float)
        fields = (1.0 - beta) * base_bias + beta * (visible_bias + W @ h)
        v = (uniform(len(visible_bias)) < sigmoid(fields)).astype(float)
    return float(log_w)


def ais_log_weights(W, visible_bias, hidden_bias, *, n_runs=100, betas=None, base_bias=None, seed=None):
    """The log importance weights of ``n_runs`` AIS runs, and log Z_A of the base model.

    The lower-level half of :func:`log_partition` with ``method="ais"``: log Z is estimated by
    log Z_A + log mean_r exp(log_weights[r]). See there for the maths and the arguments.

    Run r draws from streams 4r..4r+3 of ``seed`` (see :func:`ais_runs` for which number goes
    where). The kernel reads W through two tables of sums of groups of four rows or columns
    (:func:`group_table`), each about 4 times the size of W (2 x 205 KB for 64 x 100).

    Returns
    -------
    log_weights : ndarray of shape (n_runs,)
    log_z_base : float
        log Z_A = n_hidden log 2 + sum_i softplus(b_A_i).
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    n_runs = _checks.positive_int("n_runs", n_runs, maximum=10**7, why=_RUNS_WHY)
    betas = _betas(betas)
    if base_bias is None:
        base_bias = np.zeros(W.shape[0])
    else:
        base_bias = np.ascontiguousarray(_validate.real_array("base_bias", base_bias))
        if base_bias.shape != (W.shape[0],):
            raise ValueError(
                f"base_bias must have shape ({W.shape[0]},) (n_visible of W), got {base_bias.shape}"
            )
        _checks.bounded_size(
            [("W", W), ("visible_bias", visible_bias), ("hidden_bias", hidden_bias), ("base_bias", base_bias)]
        )
    states = rng.stream_states(seed, 4 * n_runs)  # four per run (see ais_runs)
    hidden_table = group_table(np.ascontiguousarray(W.T))
    visible_table = group_table(np.column_stack([W, visible_bias, base_bias]))
    log_weights = ais_runs(visible_bias, hidden_bias, base_bias, betas, states, hidden_table, visible_table)
    log_z_base = W.shape[1] * np.log(2.0) + float(softplus(base_bias).sum())
    return log_weights, log_z_base
