"""Randomness: one seed gives the same numbers in every run, every process, every thread count.

The convention
--------------
Every stochastic function in bmlib takes ``seed``: an ``int`` (>= 0), a
``numpy.random.Generator``, or ``None`` for fresh, unrepeatable entropy. An int always
gives the same numbers; a Generator is advanced, so two calls with the same Generator give
different (but still reproducible) numbers, as in NumPy.

Three ways to draw random numbers inside a Numba kernel
-------------------------------------------------------
==============================  =================================================
generator                       why (not)
==============================  =================================================
Numba's ``np.random.random()``  one hidden global state per thread; under
                                ``prange`` the result depends on scheduling
a ``numpy.random.Generator``    reproducible, but one shared state: not
passed into the kernel          thread-safe, so serial only
inline xoshiro256** (here)      a 4-word state per *stream*, kept in an array;
                                reproducible in parallel, and the cheapest of the three
==============================  =================================================

(The README quotes the costs measured when this module was written.)

bmlib's kernels use the third. :func:`stream_states` turns a seed into ``n_streams``
independent xoshiro256** states (through NumPy's ``SeedSequence``, which hashes the seed
so that nearby seeds give unrelated streams). A kernel assigns the streams to *fixed*
pieces of work (a block of samples, a lattice row, a Markov chain), never to threads, so
the output depends on the seed and the problem size alone, whatever the thread count.

Inside a kernel, draw with :func:`next_uint64`, :func:`next_double` and
:func:`next_normal_pair` (Marsaglia's polar method), passing the state array and the stream index.
The tightest loops (a lattice row of Metropolis updates) copy a stream's four words into local
variables, advance them with :func:`xoshiro_step` (which LLVM keeps in registers), and store
them back at the end of the row.

References
----------
D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
ACM Transactions on Mathematical Software 47 (2021). https://prng.di.unimi.it/
"""

import numbers

import numpy as np
from numba import njit
from numba.extending import overload

from bmlib import _validate

__all__ = [
    "INV_2_53",
    "seed_sequence",
    "as_generator",
    "stream_states",
    "next_uint64",
    "next_double",
    "next_normal_pair",
    "xoshiro_step",
]

INV_2_53 = 1.0 / 9007199254740992.0  # 2**-53


def seed_sequence(seed):
    """Turn a user's ``seed`` into a ``numpy.random.SeedSequence``."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.Generator):
        # Draw entropy from the generator: advances it, as NumPy's own spawning does.
        return np.random.SeedSequence(seed.integers(0, 2**63, size=4, dtype=np.int64).tolist())
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be an int >= 0, a numpy.random.Generator or None, got {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.SeedSequence(int(seed))


def as_generator(seed):
    """Return a ``numpy.random.Generator`` for Python-level randomness.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None
        An int gives a fresh generator with that seed; a Generator is returned as is.

    Returns
    -------
    numpy.random.Generator
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed_sequence(seed))


def stream_states(seed, n_streams):
    """Return ``n_streams`` independent xoshiro256** states derived from ``seed``.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None
        See the module docstring for the convention.
    n_streams : int
        How many independent streams (one per block of work, lattice row or chain).

    Returns
    -------
    ndarray of shape (n_streams, 4), dtype uint64
        Row ``i`` is the state of stream ``i``; kernels update it in place.
    """
    n_streams = _validate.count(
        "n_streams", n_streams, maximum=10**8, why="each stream holds 32 bytes of state (3.2 GB at the limit)"
    )
    words = seed_sequence(seed).generate_state(4 * int(n_streams), dtype=np.uint64)
    states = words.reshape(int(n_streams), 4).copy()
    # The all-zero state is the one state xoshiro cannot leave (chance 2**-256).
    states[np.all(states == 0, axis=1), 0] = 1
    return states


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, inline="always")
def xoshiro_step(s0, s1, s2, s3):
    """One xoshiro256** step on a state held in four local uint64 variables.

    Returns ``(result, s0, s1, s2, s3)``: the 64-bit output and the advanced state.
    """
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@njit(cache=True, inline="always")
def _next_uint64(states, stream):
    result, s0, s1, s2, s3 = xoshiro_step(
        states[stream, 0], states[stream, 1], states[stream, 2], states[stream, 3]
    )
    states[stream, 0] = s0
    states[stream, 1] = s1
    states[stream, 2] = s2
    states[stream, 3] = s3
    return result


@njit(cache=True, inline="always")
def _next_double(states, stream):
    return np.float64(_next_uint64(states, stream) >> np.uint64(11)) * INV_2_53


@njit(cache=True, inline="always")
def _next_normal_pair(states, stream):
    while True:
        x = 2.0 * _next_double(states, stream) - 1.0
        y = 2.0 * _next_double(states, stream) - 1.0
        s = x * x + y * y
        if 0.0 < s < 1.0:
            factor = np.sqrt(-2.0 * np.log(s) / s)
            return x * factor, y * factor


# The three draws below are what kernels call. Inside @njit each compiles straight to the
# unchecked kernel above (an overload, inlined: nothing is checked in a hot loop, so a kernel
# must pass 0 <= stream < len(states)); called from Python, they check their arguments first,
# since an index outside the array would read and write outside it.


def next_uint64(states, stream):
    """Advance stream ``stream`` of ``states`` and return the next 64-bit integer (xoshiro256**).

    Parameters
    ----------
    states : ndarray of shape (n_streams, 4), dtype uint64
        From :func:`stream_states`; row ``stream`` is advanced in place.
    stream : int
        0 <= stream < n_streams.
    """
    return _next_uint64(*_checked(states, stream))


def next_double(states, stream):
    """Return a uniform float64 in [0, 1) with 53 random bits from stream ``stream``.

    ``states`` and ``stream`` as for :func:`next_uint64`.
    """
    return _next_double(*_checked(states, stream))


def next_normal_pair(states, stream):
    """Return two independent standard normal numbers from stream ``stream``.

    Marsaglia's polar method: draw (x, y) uniform in the square [-1, 1)^2 until it falls
    inside the unit disc (probability pi/4), then with s = x^2 + y^2 return
    x sqrt(-2 ln s / s) and y sqrt(-2 ln s / s). One log and one square root per pair and
    no sine or cosine. ``states`` and ``stream`` as for :func:`next_uint64`.
    """
    return _next_normal_pair(*_checked(states, stream))


@overload(next_uint64, inline="always", jit_options={"cache": True})
def _next_uint64_njit(states, stream):
    return lambda states, stream: _next_uint64(states, stream)


@overload(next_double, inline="always", jit_options={"cache": True})
def _next_double_njit(states, stream):
    return lambda states, stream: _next_double(states, stream)


@overload(next_normal_pair, inline="always", jit_options={"cache": True})
def _next_normal_pair_njit(states, stream):
    return lambda states, stream: _next_normal_pair(states, stream)


def _checked(states, stream):
    if (
        not isinstance(states, np.ndarray)
        or states.dtype != np.uint64
        or states.ndim != 2
        or states.shape[1] != 4
    ):
        raise TypeError("states must be a uint64 array of shape (n_streams, 4), as stream_states returns")
    if not states.flags.writeable:
        raise ValueError("states must be writable: the stream is advanced in place")
    if isinstance(stream, bool) or not isinstance(stream, numbers.Integral):
        raise TypeError(f"stream must be an integer, got {type(stream).__name__}")
    if not 0 <= stream < states.shape[0]:
        raise ValueError(f"stream must be in 0..{states.shape[0] - 1} (one per row of states), got {stream}")
    return states, int(stream)
