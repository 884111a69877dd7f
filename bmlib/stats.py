"""Numerically stable building blocks, and error bars for Monte Carlo averages.

Part 1: sigmoid, softplus and log-sum-exp.

All three work on NumPy arrays from Python *and* inside ``@njit`` kernels, so the RBM and
Boltzmann-machine kernels of later chapters use exactly the functions the notebooks test.

Why "stable"? The textbook formulas overflow long before the answer does:
``1 / (1 + exp(-x))`` warns for x = -1000 although the answer is just 0, and
``log(sum(exp(a)))`` is ``inf`` for a = [1000, 1000] although the answer is
1000 + log 2. Each function here rewrites its formula so that no intermediate value
overflows.

Part 2: error bars for correlated samples. Successive states of a Markov chain are
correlated, so the naive standard error s / sqrt(n) is too small by a factor
sqrt(2 tau_int). :func:`integrated_autocorrelation_time` measures tau_int,
:func:`blocking_error` gets the honest standard error of a mean without knowing it, and
:func:`jackknife` propagates errors into nonlinear estimates (specific heat, Binder
cumulant) from blocks of the series. For several independent chains of the same sampler,
:func:`split_rhat` asks whether they have mixed (sampled the same distribution) and
:func:`effective_sample_size` how many independent draws they are worth.
"""

import numpy as np
from numba import njit, vectorize
from numba.extending import overload

from bmlib import _validate

__all__ = [
    "sigmoid",
    "softplus",
    "logsumexp",
    "total_variation_distance",
    "autocorrelation",
    "integrated_autocorrelation_time",
    "blocking_error",
    "jackknife",
    "split_rhat",
    "effective_sample_size",
]


@vectorize(["float64(float64)"], cache=True)
def sigmoid(x):
    """Logistic function sigma(x) = 1 / (1 + exp(-x)), without overflow for any x.

    For x < 0 it uses the equivalent form exp(x) / (1 + exp(x)), so ``exp`` only ever
    sees a non-positive argument. A NumPy ufunc: works on scalars and arrays, in Python
    and inside ``@njit``.
    """
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@vectorize(["float64(float64)"], cache=True)
def softplus(x):
    """Softplus log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), without overflow.

    It is the term each hidden unit adds to an RBM's free energy. A NumPy ufunc: works on
    scalars and arrays, in Python and inside ``@njit``.
    """
    return max(x, 0.0) + np.log1p(np.exp(-abs(x)))


def logsumexp(a):
    """Return log(sum(exp(a))) over all entries of ``a``, without overflow.

    Computed as m + log(sum(exp(a - m))) with m = max(a): every exponent is <= 0 and the
    largest term is exactly 1, so the sum neither overflows nor underflows to zero.

    Parameters
    ----------
    a : array_like of real numbers, not empty
        Entries may be ``-inf`` (a state of probability zero); NaN and ``+inf`` are
        rejected.

    Returns
    -------
    float
        ``-inf`` when every entry is ``-inf``.

    Notes
    -----
    Also callable inside ``@njit`` code on a float64 array (no validation there).
    """
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"a must be an array of real numbers, got {type(a).__name__}")
    if isinstance(a, (bool, np.bool_)):
        raise TypeError(f"a must be an array of real numbers, got the bool {a}")
    try:
        raw = np.asarray(a)
        real = raw.dtype.kind != "c"
        array = raw.astype(np.float64).ravel() if real else None  # a writable copy
    except (TypeError, ValueError) as err:
        raise TypeError(f"a must be an array of real numbers, got {_validate.show(a)}") from err
    if not real:
        raise TypeError("a must be real, got complex values")
    if array.size == 0:
        raise ValueError("a must not be empty: log(sum(exp(a))) of no terms is -inf by convention only")
    if np.any(np.isnan(array)) or np.any(array == np.inf):
        raise ValueError("a must not hold NaN or +inf")
    return float(_logsumexp(array))


@njit(cache=True)
def _logsumexp(a):
    # log sum_i exp(a_i) = m + log sum_i exp(a_i - m),  m = max_i a_i
    m = -np.inf
    for i in range(a.size):
        if a.flat[i] > m:
            m = a.flat[i]
    if m == -np.inf:
        return -np.inf
    total = 0.0
    for i in range(a.size):
        total += np.exp(a.flat[i] - m)
    return m + np.log(total)


@overload(logsumexp, jit_options={"cache": True})
def _logsumexp_njit(a):
    """Inside @njit, ``logsumexp(a)`` compiles straight to the kernel (no validation)."""
    return lambda a: _logsumexp(a)


def total_variation_distance(p, q):
    """Total-variation distance between two distributions over the same states.

    TV(p, q) = 1/2 sum_x |p(x) - q(x)| = the largest difference in probability the two
    give to any set of states; 0 for identical distributions, 1 for disjoint ones.

    Parameters
    ----------
    p, q : array_like of shape (n_states,)
        Non-negative, each summing to 1 (to 1e-9).

    Returns
    -------
    float
    """
    p = _validate.probability_vector("p", p)
    q = _validate.probability_vector("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return 0.5 * float(np.abs(p - q).sum())


# ---------------------------------------------------------------------------------------
# Error bars for correlated series


def _tame(x):
    """``x`` times an exact power of two when its entries are so large (beyond 2**500) that
    their squares or sums would overflow, and the factor that scales results back."""
    if x.size and np.max(np.abs(x)) > 2.0**500:
        return x * 2.0**-600, 2.0**600
    return x, 1.0


def _series(name, x, minimum=2):
    array = _validate.vector(name, x)
    if array.size < minimum:
        raise ValueError(f"{name} must hold at least {minimum} samples, got {array.size}")
    return array


def autocorrelation(x, max_lag=None):
    """Normalised autocorrelation function rho(t) = C(t) / C(0) of a series.

    C(t) = mean over s of (x_s - xbar)(x_{s+t} - xbar), computed with an FFT.

    Parameters
    ----------
    x : array_like of shape (n,)
    max_lag : int, optional
        Largest lag returned (default n - 1).

    Returns
    -------
    ndarray of shape (max_lag + 1,)
        rho(0) = 1. A constant series has rho = 1 at lag 0 and 0 elsewhere.
    """
    x = _series("x", x)
    n = x.size
    max_lag = n - 1 if max_lag is None else min(_validate.count("max_lag", max_lag), n - 1)
    x, _ = _tame(x)  # rho is the same for x and 2^-600 x
    centred = x - x.mean()
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size)
    covariance = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 1] / n
    if covariance[0] <= 0:
        rho = np.zeros(max_lag + 1)
        rho[0] = 1.0
        return rho
    return covariance / covariance[0]


def integrated_autocorrelation_time(x, window_factor=5.0):
    """Integrated autocorrelation time tau_int = 1/2 + sum_{t>=1} rho(t), with Sokal's window.

    The sum is cut at the first lag W with W >= window_factor * tau_int(W), where noise
    starts to dominate the tail. In this convention independent samples have tau_int = 1/2
    and the standard error of the mean is sqrt(2 tau_int var(x) / n).

    Parameters
    ----------
    x : array_like of shape (n,)
        Needs n well above 2 * window_factor * tau_int to be trusted (roughly 1000 tau_int).
    window_factor : float
        Sokal's c; 5 to 10 is usual.

    Returns
    -------
    float
        tau_int in units of the spacing of the series.

    References
    ----------
    A. D. Sokal, "Monte Carlo methods in statistical mechanics: foundations and new
    algorithms" (1996), section 3.
    """
    rho = autocorrelation(x)
    window_factor = _validate.positive_scalar("window_factor", window_factor)
    return _sokal_window(rho, window_factor)


def _sokal_window(rho, window_factor):
    """tau_int = 1/2 + sum_{t>=1} rho(t), summed up to Sokal's self-consistent window."""
    tau = 0.5
    for lag in range(1, rho.size):
        tau += rho[lag]
        if lag >= window_factor * tau:
            break
    return float(max(tau, 0.5))


def blocking_error(x, min_blocks=32):
    """Standard error of the mean of a correlated series, by blocking.

    Flyvbjerg and Petersen: average neighbouring pairs again and again; the naive error of
    the block means grows while blocks are shorter than the correlation time and levels off
    once they are longer. The plateau is the honest error. Returns the largest naive error
    over the levels that still have at least ``min_blocks`` blocks (the plateau, read
    conservatively).

    Parameters
    ----------
    x : array_like of shape (n,)
        n >= min_blocks.
    min_blocks : int

    Returns
    -------
    float

    References
    ----------
    H. Flyvbjerg and H. G. Petersen, J. Chem. Phys. 91, 461 (1989).
    """
    min_blocks = _validate.count("min_blocks", min_blocks)
    blocks, scale = _tame(_series("x", x, minimum=max(min_blocks, 2)))
    best = 0.0
    while blocks.size >= max(min_blocks, 2):
        best = max(best, float(blocks.std(ddof=1) / np.sqrt(blocks.size)))
        even = blocks[: blocks.size // 2 * 2]
        blocks = 0.5 * (even[0::2] + even[1::2])
    return best * scale


def jackknife(estimator, *series, n_blocks=32):
    """Value and error of a nonlinear estimate from correlated series, by blocked jackknife.

    The series are cut into ``n_blocks`` consecutive blocks (longer than the correlation
    time, or the error is underestimated). Leaving out one block at a time gives estimates
    theta_i; the error is sqrt((n_blocks - 1) / n_blocks * sum_i (theta_i - mean theta)^2).

    Parameters
    ----------
    estimator : callable
        ``estimator(*series)`` -> float, for example the specific heat
        ``lambda e: N * e.var() / T**2``.
    *series : array_like of shape (n,)
        One or more series of the same length, sampled at the same times.
    n_blocks : int
        >= 2.

    Returns
    -------
    value, error : float, float
        ``value`` is the estimator on the full series.
    """
    if not callable(estimator):
        raise TypeError(f"estimator must be callable, got {type(estimator).__name__}")
    n_blocks = _validate.count("n_blocks", n_blocks)
    if n_blocks < 2:
        raise ValueError(f"n_blocks must be >= 2, got {n_blocks}")
    arrays = [_series("series", s, minimum=n_blocks) for s in series]
    if not arrays:
        raise ValueError("jackknife needs at least one series")
    n = arrays[0].size
    if any(a.size != n for a in arrays):
        raise ValueError(f"all series must have the same length, got {[a.size for a in arrays]}")
    value = float(estimator(*arrays))
    edges = np.linspace(0, n, n_blocks + 1).astype(int)
    keep = np.ones(n, dtype=bool)
    estimates = np.empty(n_blocks)
    for b in range(n_blocks):
        keep[edges[b] : edges[b + 1]] = False
        estimates[b] = estimator(*(a[keep] for a in arrays))
        keep[edges[b] : edges[b + 1]] = True
    deviations = estimates - estimates.mean()
    with np.errstate(over="ignore"):
        error = float(np.sqrt((n_blocks - 1) / n_blocks * np.sum(deviations**2)))
    if np.isinf(error):  # estimates near the largest float: the same sum, scaled by the largest
        largest = np.abs(deviations).max()
        error = float(largest * np.sqrt((n_blocks - 1) / n_blocks * np.sum((deviations / largest) ** 2)))
    return value, error


def _chains(name, chains, minimum_draws):
    array = _validate.real_array(name, chains)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_chains, n_draws), got shape {array.shape}")
    if array.shape[0] < 2 or array.shape[1] < minimum_draws:
        raise ValueError(
            f"{name} must hold at least 2 chains of at least {minimum_draws} draws, got shape {array.shape}"
        )
    return array


def split_rhat(chains):
    """Split R-hat (Gelman-Rubin) of several chains of one quantity: near 1 when they have mixed.

    Each chain is cut into its first and second half, so that a chain still drifting also shows
    up. With m half-chains of n draws, B/n the variance of their means and W the mean of their
    variances, the pooled estimate of the variance is var+ = (n - 1)/n W + B/n, and
    R-hat = sqrt(var+ / W). Chains that sample the same distribution give R-hat -> 1 as n grows;
    chains stuck in different regions (modes a sampler cannot cross) give R-hat well above 1.
    1.01 is a common threshold (Vehtari et al. 2021).

    Parameters
    ----------
    chains : array_like of shape (n_chains, n_draws)
        n_chains >= 2 independent chains, n_draws >= 4 successive draws each (after burn-in).

    Returns
    -------
    float
        >= 0; inf when the halves differ but each is constant (W = 0), 1.0 when all draws are equal.

    References
    ----------
    A. Gelman and D. B. Rubin, Statistical Science 7, 457 (1992); A. Vehtari, A. Gelman,
    D. Simpson, B. Carpenter and P.-C. Buerkner, Bayesian Analysis 16, 667 (2021).
    """
    array, _ = _tame(_chains("chains", chains, minimum_draws=4))  # R-hat is scale-free
    n = array.shape[1] // 2
    halves = np.concatenate([array[:, :n], array[:, array.shape[1] - n :]])
    within = halves.var(axis=1, ddof=1).mean()
    between_over_n = halves.mean(axis=1).var(ddof=1)
    if within == 0.0:
        return 1.0 if between_over_n == 0.0 else float("inf")
    return float(np.sqrt(((n - 1) / n * within + between_over_n) / within))


def effective_sample_size(chains, window_factor=5.0):
    """How many independent draws several chains of one quantity are worth: m n / (2 tau_int).

    tau_int (1/2 for independent draws) is summed, as in :func:`integrated_autocorrelation_time`,
    from the autocorrelation function averaged over the chains, each chain's taken about its
    own mean. Mixing between chains is not measured here: check :func:`split_rhat` first, since
    chains stuck in different modes can each look well decorrelated.

    Parameters
    ----------
    chains : array_like of shape (n_chains, n_draws)
        n_chains >= 2, n_draws >= 4.
    window_factor : float
        Sokal's c.

    Returns
    -------
    float
        Between 0 and about n_chains * n_draws (more when draws are anticorrelated).
    """
    array, _ = _tame(_chains("chains", chains, minimum_draws=4))  # tau is scale-free
    window_factor = _validate.positive_scalar("window_factor", window_factor)
    n_chains, n_draws = array.shape
    centred = array - array.mean(axis=1, keepdims=True)
    variance = np.mean(centred**2)
    if variance == 0.0:
        return float(n_chains * n_draws)
    # C(t) = sum over chains and s of (x_s - xbar)(x_{s+t} - xbar) / (m n), by FFT as in autocorrelation
    size = 1 << (2 * n_draws - 1).bit_length()
    spectrum = np.fft.rfft(centred, size, axis=1)
    covariance = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, :n_draws].sum(axis=0)
    tau = _sokal_window(covariance / covariance[0], window_factor)
    return float(n_chains * n_draws / (2.0 * tau))
