"""Restricted Boltzmann machines: conditionals, free energy, block Gibbs sampling, CD-k, PCD-k and
parallel tempering; exact and AIS log Z.

The model
---------
An RBM has visible units v in {0, 1}^n_visible and hidden units h in {0, 1}^n_hidden, connected
only across the two layers, with energy

    E(v, h) = - sum_i b_i v_i - sum_j c_j h_j - sum_ij v_i W_ij h_j

where ``W`` (shape (n_visible, n_hidden)) holds the weights, b the *visible biases* and c the
*hidden biases*, and p(v, h) = exp(-E(v, h)) / Z. Because no two hidden units are connected,
given v they are independent and

    P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij),     P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j),

and summing out h gives the *free energy* F(v) = - log sum_h exp(-E(v, h))

    F(v) = - sum_i b_i v_i - sum_j softplus(c_j + sum_i v_i W_ij),    p(v) = exp(-F(v)) / Z.

Data are float64 arrays of shape (n_samples, n_visible) with values in [0, 1]: 0/1 pixels, or
grey levels read as the probabilities of the units being on (as scikit-learn's BernoulliRBM
does). Sampled states are float64 arrays of 0.0 and 1.0.

Training (:class:`RBM`)
-----------------------
The log-likelihood gradient is d log p(v) / d W_ij = <v_i h_j>_data - <v_i h_j>_model. CD-k
(Hinton 2002) replaces the model average by k steps of block Gibbs sampling started at the data;
PCD-k (Tieleman 2008) keeps ``batch_size`` persistent chains running between updates instead.
Minibatches, momentum and L2 weight decay follow Hinton's *A Practical Guide to Training RBMs*.

Two implementations of one epoch, chosen per shape
--------------------------------------------------
* ``"fused"``: one Numba kernel runs a whole epoch, minibatch after minibatch, with no NumPy call
  inside. Each product gathers the non-zero entries of the vector it multiplies without
  branching, then adds the matching weight rows: four at a time with their coefficients for
  data rows, eight at a time and without multiplications for the 0/1 samples. The weights are
  kept in both layouts (W and W^T) so every inner loop runs over contiguous memory; sigmoids use
  a vectorizable exp (:func:`bmlib._simd.exp_nonpositive`), and each chain's random stream
  stays in registers. It wins when the matrices are small (digits: 64 x 100, batch 10), where a
  NumPy call's fixed cost (~1-2 us) is larger than its arithmetic.
* ``"blas"``: each minibatch is a few NumPy matrix products (BLAS), the weight gradient one
  product [v_data; v_model]^T [h_data / m; -h_model / n], and Numba only draws the random
  numbers and applies the update in one pass. It wins for large shapes with dense data.

``kernel="auto"`` takes ``"fused"`` when batch_size * n_visible * n_hidden <= 4 * 10^6, or when
at most 30 % of the data's entries are non-zero (MNIST has about 19 %); otherwise ``"blas"``.
Measured on the course machine (one BLAS thread, CD-1, one epoch of 2000 random binary rows;
``benchmarks/bench_rbm.py``, the range over three runs; the machine's speed varies by 10-20 %
from day to day, so compare the two columns, not these times with older ones):

=====================  ==========  ==============  ==============
shape, batch           pixels on   fused           blas
=====================  ==========  ==============  ==============
64 x 100, batch 10     15 %        7.2-10 ms       30-63 ms
784 x 500, batch 10    15 %        135-156 ms      533-699 ms
784 x 100, batch 100   15 %        48-62 ms        74-113 ms
784 x 500, batch 100   15 %        168-179 ms      282-299 ms
784 x 500, batch 100   50 %        314-329 ms      279-313 ms
=====================  ==========  ==============  ==============

Small batches always favour the fused kernel; at batch 100 the winner depends on how sparse the
data are: skipping zeros pays on MNIST-like data, BLAS's blocked products on dense data. Both
use the same random numbers in the same order, so they give the same samples and (to rounding)
the same weights.

Threads: ``RBM(n_jobs=2)`` cuts every minibatch of the fused kernel into two parts (each part's
share of the data rows and chains, then of the weight rows), run by two of Numba's threads that
wait for each other between the phases. Every part computes exactly what the serial kernel
does, so the weights are the same bit for bit for any ``n_jobs``. On the 2-core course machine
it takes an epoch of 784 x 500, batch 100 from 168-179 to 90-108 ms; at 64 x 100, batch 10 the
parts are so small that it gains only 1.3-1.5x (every minibatch, the half of W that one core
updated has to move to the other core's cache before it can be read there).

Parallel tempering (``RBM(sampler="pt")``) keeps ``batch_size`` persistent chains with
``n_temperatures`` replicas each, at inverse temperatures from 1 down to 0, and swaps the states
of neighbouring replicas (Desjardins et al. 2010; Cho et al. 2010).

Evaluation
----------
:func:`log_partition` computes log Z exactly by summing over the smaller layer (up to
``EXACT_LIMIT`` = 20 units: 64 x 20 takes well under a second), or estimates it by annealed
importance sampling from a base-rate RBM (Neal 2001; Salakhutdinov and Murray 2008), with a
standard error. :func:`log_likelihood` turns either into the average log p(x) of data.

Random numbers
--------------
Every stochastic function takes ``seed`` (see :mod:`bmlib.rng`). Row r of a batch of chains
draws from xoshiro256** stream r, in a fixed order, so results depend on the seed alone.

References
----------
G. E. Hinton, "Training products of experts by minimizing contrastive divergence",
Neural Computation 14 (2002) 1771-1800.
T. Tieleman, "Training restricted Boltzmann machines using approximations to the likelihood
gradient", ICML 2008.
G. E. Hinton, "A practical guide to training restricted Boltzmann machines", UTML TR 2010-003.
R. M. Neal, "Annealed importance sampling", Statistics and Computing 11 (2001) 125-139.
R. Salakhutdinov and I. Murray, "On the quantitative analysis of deep belief networks", ICML 2008.
G. Desjardins, A. Courville, Y. Bengio, P. Vincent and O. Delalleau, "Tempered Markov chain Monte
Carlo for training of restricted Boltzmann machines", AISTATS 2010.
K. Cho, T. Raiko and A. Ilin, "Parallel tempering is efficient for learning restricted Boltzmann
machines", IJCNN 2010.
"""

import inspect
import math
import numbers
import platform
import sys

import numba
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from bmlib import _validate, rng
from bmlib._simd import exp_nonpositive, exp_polynomial, exp_reduce, exp_scale
from bmlib.progress import Progress
from bmlib.rng import INV_2_53, next_double, xoshiro_step
from bmlib.stats import logsumexp, sigmoid, softplus

__all__ = [
    "RBM",
    "energy",
    "free_energy",
    "hidden_probabilities",
    "visible_probabilities",
    "sample_hidden",
    "sample_visible",
    "gibbs",
    "reconstruct",
    "sample",
    "cd_update",
    "pseudo_log_likelihood",
    "reconstruction_error",
    "log_partition_function",
    "log_partition",
    "log_likelihood",
    "visible_distribution",
    "ais_schedule",
    "ais_log_weights",
    "base_rate_bias",
    "tie_parameters",
    "EXACT_LIMIT",
]

EXACT_LIMIT = 20
"""Largest min(n_visible, n_hidden) for which exact log Z is computed (2^20 terms)."""

_FUSED_LIMIT = 4_000_000  # batch_size * n_visible * n_hidden at or below which "auto" fuses
_SPARSE_LIMIT = 0.3  # ... and above it, the largest fraction of non-zero data for which it still fuses


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _units(name, value, n_columns=None, columns_name="n_visible"):
    """Return ``value`` as a C-contiguous 2-D float64 array of values in [0, 1] (1-D -> one row)."""
    array = _validate.real_array(name, value)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_units), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if n_columns is not None and array.shape[1] != n_columns:
        raise ValueError(f"{name} has {array.shape[1]} columns, expected {columns_name} = {n_columns}")
    if np.any(array < 0.0) or np.any(array > 1.0):
        raise ValueError(
            f"{name} must hold values in [0, 1] (binary units, or probabilities of being on), "
            f"found values in [{array.min():g}, {array.max():g}]"
        )
    return np.ascontiguousarray(array)


def _binary_units(name, value, n_columns=None):
    """:func:`_units`, and every value 0 or 1: the data a log-likelihood is defined for."""
    array = _units(name, value, n_columns)
    grey = np.count_nonzero((array != 0.0) & (array != 1.0))
    if grey:
        raise ValueError(
            f"{name} must be binary (0 or 1) for a log-likelihood: log p(v) = -F(v) - log Z is a "
            f"log-probability only for binary v, and {name} holds {grey} values strictly between 0 and "
            "1 (grey levels, such as datasets.digits() gives by default); binarize it first, for "
            "example with datasets.digits(binarize=0.5)"
        )
    return array


def _is_binary(array):
    return bool(np.all((array == 0.0) | (array == 1.0)))


def _parameters(W, visible_bias=None, hidden_bias=None):
    """Check W (n_visible, n_hidden) and the biases against it; return float64 copies-or-views."""
    W = np.ascontiguousarray(_validate.real_array("W", W))
    if W.ndim != 2 or W.shape[0] == 0 or W.shape[1] == 0:
        raise ValueError(f"W must be a non-empty 2-D array (n_visible, n_hidden), got shape {W.shape}")
    out = [W]
    for name, bias, size, what in [
        ("visible_bias", visible_bias, W.shape[0], "n_visible"),
        ("hidden_bias", hidden_bias, W.shape[1], "n_hidden"),
    ]:
        if bias is None:
            continue
        bias = _validate.real_array(name, bias)
        if bias.shape != (size,):
            raise ValueError(f"{name} must have shape ({size},) ({what} of W), got {bias.shape}")
        out.append(np.ascontiguousarray(bias))
    return out


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {_validate._show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _plain_number(value):
    """``value`` as a float when it is a finite Python int or float (not a bool), else None.

    The settings are checked on every ``partial_fit``; a plain number needs no NumPy round trip
    (which costs more than a small model's whole epoch). Anything else goes through the full
    checks, which raise the errors.
    """
    if type(value) in (float, int) and math.isfinite(value):
        return float(value)
    return None


def _positive_number(name, value):
    number = _plain_number(value)
    if number is not None and number > 0.0:
        return number
    return _validate.positive_scalar(name, value)


def _nonnegative(name, value, below_one=False):
    number = _plain_number(value)
    if number is not None and 0.0 <= number and (number < 1.0 or not below_one):
        return number
    if isinstance(value, bool) or np.ndim(value) != 0:
        raise TypeError(f"{name} must be a single number, got {_validate._show(value)}")
    value = float(_validate.real_array(name, value))
    if value < 0.0 or (below_one and value >= 1.0):
        raise ValueError(f"{name} must be in [0, {'1)' if below_one else 'inf)'}, got {value}")
    return value


def _squeeze(result, was_vector):
    return result[0] if was_vector else result


# --------------------------------------------------------------------------------------------
# Kernels (trust their arguments)
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _bernoulli(p, states):
    """Return 0/1 samples of P(unit = 1) = p; row r draws from stream r, columns in order."""
    n_rows, n_columns = p.shape
    out = np.empty((n_rows, n_columns))
    for r in range(n_rows):
        row = out[r]
        for j in range(n_columns):
            row[j] = next_double(states, r)
        _draw(row, 0, 1, p[r], row)
    return out


@njit(cache=True, inline="always")
def _load_lanes(lanes, states, first, n_lanes):
    """lanes[:, l] = stream first + l of ``states`` for the n_lanes (<= 4) lanes used; the spare
    lanes get a copy of stream ``first``, whose numbers nobody uses (see :func:`_uniform_lanes`)."""
    for lane in range(4):
        source = first + lane if lane < n_lanes else first
        for w in range(4):
            lanes[w, lane] = states[source, w]


@njit(cache=True, inline="always")
def _store_lanes(lanes, states, first, n_lanes):
    """The advanced streams of the n_lanes used lanes back into ``states``."""
    for lane in range(n_lanes):
        for w in range(4):
            states[first + lane, w] = lanes[w, lane]


@njit(cache=True, inline="always")
def _draw(u, first, step, p, out):
    """out[i] = 1.0 if u[first + step i] < p[i] else 0.0: 0/1 samples from the uniform numbers u
    (step 4 and first = the lane for the interleaved numbers of :func:`_uniform_lanes`). Its own
    loop, which vectorizes (a compare, then an and with 1.0): in a loop that also lists the units
    that are on, LLVM turned the 1.0-or-0.0 into a conditional jump, mispredicted half of the
    time on random samples (5 ns a unit instead of 0.9)."""
    for i in range(out.shape[0]):
        out[i] = np.float64(np.int64(u[first + step * i] < p[i]))


@njit(cache=True, inline="always")
def _list_on(x, out):
    """out[:count] = the indices i with x[i] != 0, in order; returns count. Branch-free: every
    index is written, and the position only advances past the non-zeros."""
    count = 0
    for i in range(x.shape[0]):
        out[count] = i
        count += x[i] != 0.0
    return count


@njit(cache=True, error_model="numpy")
def _gibbs_chains(v, W, WT, visible_bias, hidden_bias, n_steps, states):
    """Run ``n_steps`` block Gibbs steps v -> h -> v from each row of ``v`` (in place).

    Row r draws from stream r: per step n_hidden numbers for h, then n_visible for v. The first
    step starts from v as given (probabilities are fine); after it v is 0/1, so the products with
    the samples are sums of weight rows (:func:`_add_rows`, :func:`_sum_rows`). As in the
    training kernel, the rows go four at a time, one per lane of :func:`_uniform_lanes` (lane l
    is stream r + l, so every row gets its own stream's numbers; the spare lanes of a last group
    draw numbers nobody uses), with the sigmoids of all four in one :func:`_sigmoid_block`.
    """
    n_rows, n_visible = v.shape
    n_hidden = W.shape[1]
    size = max(n_visible, n_hidden)
    A_hidden_flat = np.empty(4 * n_hidden)
    A_hidden = A_hidden_flat.reshape((4, n_hidden))
    A_visible_flat = np.empty(4 * n_visible)
    A_visible = A_visible_flat.reshape((4, n_visible))
    scaled = np.empty(4 * size)
    reduced = np.empty(4 * size)
    u = np.empty(4 * size)
    lanes = np.empty((4, 4), dtype=np.uint64)
    lists = np.empty((4, size), dtype=np.int64)
    coefficients = np.empty((4, n_visible))
    counts = np.zeros(4, dtype=np.int64)
    for g in range(0, n_rows, 4):
        n_lanes = min(4, n_rows - g)
        _load_lanes(lanes, states, g, n_lanes)
        for lane in range(n_lanes):
            x = v[g + lane]
            count = 0
            for i in range(n_visible):  # branch-free: the position only advances past non-zeros
                value = x[i]
                lists[lane, count] = i
                coefficients[lane, count] = value
                count += value != 0.0
            counts[lane] = count
        for _ in range(n_steps):
            # P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij), then h; lists[l, :counts[l]]: h_j = 1
            for lane in range(n_lanes):
                a = A_hidden[lane]
                a[:] = hidden_bias
                _add_rows(a, W, lists[lane], coefficients[lane], counts[lane])
            block = A_hidden_flat[: n_lanes * n_hidden]
            _sigmoid_block(block, block, scaled, reduced)
            _uniform_lanes(lanes, u, n_hidden)
            for lane in range(n_lanes):
                p = A_hidden[lane]
                count = 0
                for j in range(n_hidden):
                    lists[lane, count] = j
                    count += u[4 * j + lane] < p[j]
                counts[lane] = count
            # P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j), then v; lists[l, :counts[l]]: v_i = 1
            for lane in range(n_lanes):
                a = A_visible[lane]
                a[:] = visible_bias
                _sum_rows(a, WT, lists[lane], counts[lane])
            block = A_visible_flat[: n_lanes * n_visible]
            _sigmoid_block(block, block, scaled, reduced)
            _uniform_lanes(lanes, u, n_visible)
            for lane in range(n_lanes):
                x = v[g + lane]
                _draw(u, lane, 4, A_visible[lane], x)
                counts[lane] = _list_on(x, lists[lane])
                coefficients[lane, : counts[lane]] = 1.0
        _store_lanes(lanes, states, g, n_lanes)


@njit(cache=True, parallel=True)
def _pseudo_log_likelihood_rows(X, W, visible_bias, hidden_bias):
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


@njit(cache=True, inline="always")
def _add_rows(out, M, rows, coefficients, count):
    """out += sum_t coefficients[t] * M[rows[t]], four rows per pass over ``out``."""
    n = out.shape[0]
    t = 0
    while t + 4 <= count:
        r0, r1, r2, r3 = rows[t], rows[t + 1], rows[t + 2], rows[t + 3]
        c0, c1, c2, c3 = coefficients[t], coefficients[t + 1], coefficients[t + 2], coefficients[t + 3]
        for j in range(n):
            out[j] += (c0 * M[r0, j] + c1 * M[r1, j]) + (c2 * M[r2, j] + c3 * M[r3, j])
        t += 4
    while t < count:
        r0, c0 = rows[t], coefficients[t]
        for j in range(n):
            out[j] += c0 * M[r0, j]
        t += 1


@njit(cache=True, inline="always")
def _sum_rows(out, M, rows, count):
    """out += sum_t M[rows[t]] (the product of a 0/1 vector with M), eight rows per pass over ``out``."""
    n = out.shape[0]
    t = 0
    while t + 8 <= count:
        r0, r1, r2, r3 = rows[t], rows[t + 1], rows[t + 2], rows[t + 3]
        r4, r5, r6, r7 = rows[t + 4], rows[t + 5], rows[t + 6], rows[t + 7]
        for j in range(n):
            out[j] += ((M[r0, j] + M[r1, j]) + (M[r2, j] + M[r3, j])) + (
                (M[r4, j] + M[r5, j]) + (M[r6, j] + M[r7, j])
            )
        t += 8
    while t + 4 <= count:
        r0, r1, r2, r3 = rows[t], rows[t + 1], rows[t + 2], rows[t + 3]
        for j in range(n):
            out[j] += (M[r0, j] + M[r1, j]) + (M[r2, j] + M[r3, j])
        t += 4
    while t < count:
        r0 = rows[t]
        for j in range(n):
            out[j] += M[r0, j]
        t += 1


@njit(cache=True, inline="always")
def _uniform(s0, s1, s2, s3):
    """One xoshiro256** step on a stream held in local variables: (u in [0, 1), new state), with u
    exactly :func:`bmlib.rng.next_double`'s number. The top 53 bits fit an int64, whose conversion
    to float64 is one instruction (an unsigned one is a sequence on x86 without AVX-512)."""
    result, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
    return np.float64(np.int64(result >> np.uint64(11))) * INV_2_53, s0, s1, s2, s3


# ---- synchronisation between the threads of one epoch -------------------------------------

_X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")


def _counter_pointer(context, builder, signature, args):
    array = context.make_array(signature.args[0])(context, builder, args[0])
    return cgutils.get_item_pointer(context, builder, signature.args[0], array, [args[1]])


@intrinsic
def _atomic_add(typingctx, counters, index, value):
    """counters[index] += value as one atomic read-modify-write (sequentially consistent: also a
    full memory fence); returns the old value. ``counters`` is an int64 array."""
    if counters.dtype != types.int64:
        return None
    sig = types.int64(counters, types.intp, types.int64)

    def codegen(context, builder, signature, args):
        return builder.atomic_rmw(
            "add", _counter_pointer(context, builder, signature, args), args[2], "seq_cst"
        )

    return sig, codegen


@intrinsic
def _atomic_load(typingctx, counters, index):
    """counters[index], read atomically with acquire order: whatever a thread wrote before its
    :func:`_atomic_add` to this counter is visible once the new value is seen (and the compiler
    may not hoist the read out of a waiting loop)."""
    if counters.dtype != types.int64:
        return None
    sig = types.int64(counters, types.intp)

    def codegen(context, builder, signature, args):
        return builder.load_atomic(_counter_pointer(context, builder, signature, args), "acquire", 8)

    return sig, codegen


@intrinsic
def _spin_pause(typingctx):
    """The x86 ``pause`` hint inside a busy-wait loop (nothing on other processors)."""
    sig = types.void()

    def codegen(context, builder, signature, args):
        if _X86:
            function = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), []), "llvm.x86.sse2.pause"
            )
            builder.call(function, [])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _yield_processor(typingctx):
    """``sched_yield()`` (POSIX; nothing on Windows): let the operating system run another thread."""
    sig = types.void()

    def codegen(context, builder, signature, args):
        if sys.platform != "win32":
            function = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.IntType(32), []), "sched_yield"
            )
            builder.call(function, [])
        return context.get_dummy_value()

    return sig, codegen


_NEXT_TASK, _TASKS_DONE = 0, 8  # indices of the two counters (64 bytes apart: separate cache lines)


@njit(cache=True, inline="always")
def _wait_until(counters, index, target):
    """Spin until counters[index] >= target; after the first ~1000 rounds, give the processor
    away between checks (so a waiting thread does not starve the one it waits for when there are
    more threads than cores)."""
    spins = 0
    while _atomic_load(counters, index) < target:
        _spin_pause()
        spins += 1
        if spins > 1000:
            _yield_processor()


# ---- the pieces of one minibatch ------------------------------------------------------------


@njit(cache=True, inline="always")
def _sigmoid_block(a, out, scaled, reduced):
    """out = sigmoid(a) (may be a itself) as :func:`bmlib.stats.sigmoid` computes it: 1 / (1 + e)
    for a >= 0, e / (1 + e) below, e = exp(-|a|), with the vectorizable exp of
    :func:`bmlib._simd.exp_nonpositive` (so within an ulp or two of ``stats.sigmoid``; 0 below
    a = -708, where that is subnormal). Needs ``error_model="numpy"`` in the caller: Numba's
    default checks every division for zero, which keeps the loop from vectorizing.

    The exp runs as its three stages, each its own pass (argument reduction, polynomial,
    scaling), then the division, through the scratch arrays ``scaled`` and ``reduced`` (at least
    as long as a). One fused loop
    body is a chain of about 30 dependent vector operations, so only two or three iterations fit
    in the processor's scheduler at once; four short loops keep it full: 1.6 ns a sigmoid
    instead of 2.6.
    """
    n = a.shape[0]
    for j in range(n):
        scaled[j], reduced[j] = exp_reduce(-abs(a[j]))
    for j in range(n):
        reduced[j] = exp_polynomial(reduced[j])
    for j in range(n):
        scaled[j] = exp_scale(reduced[j], scaled[j], -abs(a[j]))
    for j in range(n):
        e = scaled[j]
        out[j] = (1.0 if a[j] >= 0.0 else e) / (1.0 + e)


@njit(cache=True, inline="always")
def _share(n, part, n_parts):
    """The range [lo, hi) of part ``part`` when n items are cut into ``n_parts`` contiguous parts."""
    return (n * part) // n_parts, (n * (part + 1)) // n_parts


@njit(cache=True, inline="always")
def _positive_phase(
    X, order, start, b0, b1, W, hidden_bias, V, H, H_flat, rows, coefficients, scaled, reduced
):
    """Data rows b0..b1-1 of the minibatch at ``start``: V[b] = the row, H[b] = P(h = 1 | v),
    P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij) summed over the non-zero v_i only."""
    n_visible = X.shape[1]
    n_hidden = W.shape[1]
    for b in range(b0, b1):
        x = X[order[start + b]]
        v = V[b]
        count = 0
        for i in range(n_visible):  # branch-free: the position only advances past non-zeros
            value = x[i]
            v[i] = value
            rows[count] = i
            coefficients[count] = value
            count += value != 0.0
        h = H[b]
        h[:] = hidden_bias
        _add_rows(h, W, rows, coefficients, count)
    block = H_flat[b0 * n_hidden : b1 * n_hidden]
    _sigmoid_block(block, block, scaled, reduced)


@njit(cache=True, inline="always")
def _negative_phase(
    r0, r1, m, k, persistent, W, WT, visible_bias, hidden_bias, V, H, H_flat, chains, states, work
):
    """k block Gibbs steps for the negative chains r0..r1-1: V[m + r] = the chain's last v,
    H[m + r] = P(h = 1 | v) for it; chain r draws from stream r (see :func:`_train_epoch_fused`).

    Chains go four at a time, one per lane of :func:`_uniform_lanes` (lane l = stream r + l, so
    each chain gets exactly the numbers of its own stream; the lanes of a last group with fewer
    than four chains draw numbers nobody uses). Products with 0/1 samples are sums of weight
    rows over the units that are on (:func:`_sum_rows`), with ``lists[l, :counts[l]]`` listing
    them.
    """
    A_flat, lanes, u, lists, counts, scaled, reduced = work
    n_visible, n_hidden = W.shape
    A = A_flat.reshape((4, n_visible))
    for g in range(r0, r1, 4):
        n_lanes = min(4, r1 - g)
        _load_lanes(lanes, states, g, n_lanes)
        if persistent:
            for lane in range(n_lanes):
                counts[lane] = _list_on(chains[g + lane], lists[lane])
        else:  # CD: h ~ P(h | data row g + l), the first n_hidden numbers of the stream
            _uniform_lanes(lanes, u, n_hidden)
            for lane in range(n_lanes):
                p = H[g + lane]
                count = 0
                for j in range(n_hidden):
                    lists[lane, count] = j
                    count += u[4 * j + lane] < p[j]
                counts[lane] = count
        for step in range(k):
            # v ~ P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j): rows of W^T for h_j = 1
            for lane in range(n_lanes):
                a = A[lane]
                a[:] = visible_bias
                _sum_rows(a, WT, lists[lane], counts[lane])
            block = A_flat[: n_lanes * n_visible]
            _sigmoid_block(block, block, scaled, reduced)
            _uniform_lanes(lanes, u, n_visible)
            for lane in range(n_lanes):
                v = V[m + g + lane]
                _draw(u, lane, 4, A[lane], v)
                counts[lane] = _list_on(v, lists[lane])
            # P(h_j = 1 | v) for the sampled v: rows of W for v_i = 1
            for lane in range(n_lanes):
                h = H[m + g + lane]
                h[:] = hidden_bias
                _sum_rows(h, W, lists[lane], counts[lane])
            block = H_flat[(m + g) * n_hidden : (m + g + n_lanes) * n_hidden]
            _sigmoid_block(block, block, scaled, reduced)
            if persistent:  # the chain's new h (listed only if another step follows)
                _uniform_lanes(lanes, u, n_hidden)
                for lane in range(n_lanes):
                    chain = chains[g + lane]
                    _draw(u, lane, 4, H[m + g + lane], chain)
                    if step < k - 1:
                        counts[lane] = _list_on(chain, lists[lane])
            elif step < k - 1:  # CD: h for the next step, only listed
                _uniform_lanes(lanes, u, n_hidden)
                for lane in range(n_lanes):
                    p = H[m + g + lane]
                    count = 0
                    for j in range(n_hidden):
                        lists[lane, count] = j
                        count += u[4 * j + lane] < p[j]
                    counts[lane] = count
        _store_lanes(lanes, states, g, n_lanes)


@njit(cache=True, inline="always")
def _column_sums(M, first, last, out):
    """out[j] = M[first, j] + M[first + 1, j] + ... + M[last - 1, j], added in that order (from 0.0)."""
    out[:] = 0.0
    for t in range(first, last):
        row = M[t]
        for j in range(out.shape[0]):
            out[j] += row[j]


@intrinsic
def _transpose4(typingctx, source, target, i, j):
    """target[j + c, i + r] = source[i + r, j + c] for r, c = 0..3: a 4 x 4 block of float64,
    as four vector loads, eight shuffles and four vector stores. Both arrays must have
    contiguous rows (a stride of 8 bytes along axis 1); :func:`_transpose_rows` checks that."""
    if not (isinstance(source, types.Array) and isinstance(target, types.Array)):
        return None
    if source.dtype != types.float64 or target.dtype != types.float64 or source.ndim != 2 or target.ndim != 2:
        return None
    sig = types.void(source, target, types.intp, types.intp)

    def codegen(context, builder, signature, args):
        source_type, target_type = signature.args[0], signature.args[1]
        source_array = context.make_array(source_type)(context, builder, args[0])
        target_array = context.make_array(target_type)(context, builder, args[1])
        i, j = args[2], args[3]
        vector = ir.VectorType(ir.DoubleType(), 4)

        def pointer(array_type, array, row, column, offset):
            row = builder.add(row, ir.Constant(row.type, offset))
            item = cgutils.get_item_pointer(context, builder, array_type, array, [row, column])
            return builder.bitcast(item, vector.as_pointer())

        def shuffle(a, b, mask):
            return builder.shuffle_vector(a, b, ir.Constant(ir.VectorType(ir.IntType(32), 4), mask))

        r = [builder.load(pointer(source_type, source_array, i, j, k), align=8) for k in range(4)]
        t0, t1 = shuffle(r[0], r[1], [0, 4, 2, 6]), shuffle(r[0], r[1], [1, 5, 3, 7])
        t2, t3 = shuffle(r[2], r[3], [0, 4, 2, 6]), shuffle(r[2], r[3], [1, 5, 3, 7])
        columns = [
            shuffle(t0, t2, [0, 1, 4, 5]),
            shuffle(t1, t3, [0, 1, 4, 5]),
            shuffle(t0, t2, [2, 3, 6, 7]),
            shuffle(t1, t3, [2, 3, 6, 7]),
        ]
        for k in range(4):
            builder.store(columns[k], pointer(target_type, target_array, j, i, k), align=8)
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def _transpose_rows(W, WT, first, last):
    """WT[:, first:last] = W[first:last].T: rows of W just updated (still in the L1 cache) into
    W^T, 4 x 4 blocks at a time (:func:`_transpose4`) where the layout allows. A separate pass
    over all of W afterwards took 3 us a minibatch at 64 x 100 (W no longer fits in L1)."""
    n_hidden = W.shape[1]
    i = first
    if W.strides[1] == 8 and WT.strides[1] == 8:
        while i + 4 <= last:
            j = 0
            while j + 4 <= n_hidden:
                _transpose4(W, WT, i, j)
                j += 4
            for jj in range(j, n_hidden):
                for r in range(i, i + 4):
                    WT[jj, r] = W[r, jj]
            i += 4
    for j in range(n_hidden):
        for r in range(i, last):
            WT[j, r] = W[r, j]


@njit(cache=True, inline="always")
def _update_phase(
    i0,
    i1,
    with_hidden,
    m,
    n_negative,
    last,
    W,
    WT,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    learning_rate,
    momentum,
    weight_decay,
    centered,
    visible_offset,
    hidden_offset,
    offset_rate,
    V,
    H,
    work,
):
    """The update of the weight rows i0..i1-1 and their visible biases, and (``with_hidden``)
    of the hidden biases; each four rows also into W^T as soon as they are updated.

    dW_ij = <v_i h_j>_data - <v_i h_j>_model = sum_t coefficient_t(i) H[t, j], coefficient
    v_ti / m for data rows and -v_ti / n for chains;
    velocity = momentum * velocity + learning_rate * (dW - weight_decay * W);  W += velocity.
    With momentum = weight_decay = 0 the step is learning_rate * dW: learning_rate goes into
    the coefficients and the rows of H are added straight into W (the velocity, which nothing
    reads then, is written only in the last minibatch of the epoch, ``last``).
    The centred update (see :class:`RBM`) couples all rows through dc, so it runs as one part.
    """
    rows, coefficients, gradient, d_hidden, g_hidden = work  # (gradient: also scratch for sums)
    n_visible, n_hidden = W.shape
    n_rows = m + n_negative
    plain = momentum == 0.0 and weight_decay == 0.0 and not last and not centered
    scale = learning_rate if plain else 1.0
    inverse_m, inverse_n = 1.0 / m, -1.0 / n_negative
    if with_hidden:
        # g_h = <h>_data - <h>_model (the hidden-bias gradient), the sums over rows taken for all
        # j at once (vectorized; each sum still adds the rows in order, from 0.0)
        _column_sums(H, 0, m, d_hidden)
        _column_sums(H, m, m + n_negative, gradient)
        for j in range(n_hidden):
            d_hidden[j] = d_hidden[j] / m - gradient[j] / n_negative
        if centered:
            g_hidden[:] = d_hidden  # the plain g_h; d_hidden becomes dc below
    for i in range(i0, i1):
        count = 0
        d_visible = 0.0
        for t in range(n_rows):
            x = V[t, i] * (inverse_m if t < m else inverse_n)
            rows[count] = t
            coefficients[count] = scale * x
            count += x != 0.0
            d_visible += x
        w = W[i]
        if plain:
            _add_rows(w, H, rows, coefficients, count)
        else:
            gradient[:] = 0.0
            _add_rows(gradient, H, rows, coefficients, count)
            if centered:
                # dW_ij = G_ij - mu_i g_h,j - g_v,i lambda_j;  db_i = g_v,i - sum_j dW_ij lambda_j;
                # dc_j = g_h,j - sum_i dW_ij mu_i
                mu = visible_offset[i]
                g_visible = d_visible
                for j in range(n_hidden):
                    g = gradient[j] - mu * g_hidden[j] - g_visible * hidden_offset[j]
                    gradient[j] = g
                    d_visible -= g * hidden_offset[j]
                    d_hidden[j] -= g * mu
            for j in range(n_hidden):
                step_ij = momentum * velocity_W[i, j] + learning_rate * (gradient[j] - weight_decay * w[j])
                velocity_W[i, j] = step_ij
                w[j] += step_ij
        velocity_visible[i] = momentum * velocity_visible[i] + learning_rate * d_visible
        visible_bias[i] += velocity_visible[i]
        if (i - i0) % 4 == 3:  # the last four rows, into W^T for the next minibatch
            _transpose_rows(W, WT, i - 3, i + 1)
    if with_hidden:
        for j in range(n_hidden):
            velocity_hidden[j] = momentum * velocity_hidden[j] + learning_rate * d_hidden[j]
            hidden_bias[j] += velocity_hidden[j]
        if centered:
            _column_sums(H, 0, m, gradient)
            for j in range(n_hidden):
                hidden_offset[j] += offset_rate * (gradient[j] / m - hidden_offset[j])
    _transpose_rows(W, WT, i1 - (i1 - i0) % 4, i1)  # the rows left over


@njit(cache=True, error_model="numpy")
def _epoch_tasks(
    X,
    order,
    W,
    WT,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    chains,
    states,
    learning_rate,
    momentum,
    weight_decay,
    k,
    persistent,
    batch_size,
    centered,
    visible_offset,
    hidden_offset,
    offset_rate,
    V,
    H_flat,
    n_parts,
    counters,
):
    """One thread's share of an epoch of :func:`_train_epoch_fused` (all of it when alone).

    Each minibatch is two phases of ``n_parts`` tasks: sampling (part p: its share of the data
    rows and of the negative chains) and the update (part p: its share of the weight rows; the
    last part also the hidden biases; with ``centered`` part 0 does everything). Tasks are
    numbered in order, 2 n_parts per minibatch; a thread takes the next number from
    ``counters[_NEXT_TASK]``, waits until every task of the earlier phases is finished
    (``counters[_TASKS_DONE]``), runs it and counts it done. A thread only ever waits for tasks
    another thread has already taken, so the epoch finishes however many threads run it (one
    thread runs every task in order). Each task computes the same numbers whichever thread runs
    it, so the result does not depend on n_parts or on the threads.
    """
    n_samples, n_visible = X.shape
    n_hidden = W.shape[1]
    n_chains = chains.shape[0]
    H = H_flat.reshape((V.shape[0], n_hidden))
    size = max(n_visible, n_hidden, V.shape[0])
    rows = np.empty(size, dtype=np.int64)
    coefficients = np.empty(size)
    scratch = max(batch_size, 4) * max(n_visible, n_hidden)
    scaled = np.empty(scratch)
    reduced = np.empty(scratch)
    sampling = (
        np.empty(4 * n_visible),
        np.empty((4, 4), dtype=np.uint64),
        np.empty(4 * size),
        np.empty((4, size), dtype=np.int64),
        np.zeros(4, dtype=np.int64),
        scaled,
        reduced,
    )
    updating = (rows, coefficients, np.empty(n_hidden), np.empty(n_hidden), np.empty(n_hidden))
    n_batches = (n_samples + batch_size - 1) // batch_size
    n_tasks = 2 * n_parts * n_batches
    while True:
        task = _atomic_add(counters, _NEXT_TASK, 1)
        if task >= n_tasks:
            break
        batch = task // (2 * n_parts)
        update = (task // n_parts) % 2 == 1
        part = task % n_parts
        _wait_until(counters, _TASKS_DONE, task - part)
        start = batch * batch_size
        m = min(batch_size, n_samples - start)
        n_negative = n_chains if persistent else m
        if not update:
            b0, b1 = _share(m, part, n_parts)
            _positive_phase(
                X, order, start, b0, b1, W, hidden_bias, V, H, H_flat, rows, coefficients, scaled, reduced
            )
            r0, r1 = _share(n_negative, part, n_parts)
            _negative_phase(
                r0,
                r1,
                m,
                k,
                persistent,
                W,
                WT,
                visible_bias,
                hidden_bias,
                V,
                H,
                H_flat,
                chains,
                states,
                sampling,
            )
        else:
            if centered:
                i0, i1 = (0, n_visible) if part == 0 else (0, 0)
                with_hidden = part == 0
            else:
                i0, i1 = _share(n_visible, part, n_parts)
                with_hidden = part == n_parts - 1
            _update_phase(
                i0,
                i1,
                with_hidden,
                m,
                n_negative,
                start + batch_size >= n_samples,
                W,
                WT,
                visible_bias,
                hidden_bias,
                velocity_W,
                velocity_visible,
                velocity_hidden,
                learning_rate,
                momentum,
                weight_decay,
                centered,
                visible_offset,
                hidden_offset,
                offset_rate,
                V,
                H,
                updating,
            )
        _atomic_add(counters, _TASKS_DONE, 1)


@njit(cache=True)
def _epoch_buffers(n_visible, n_hidden, batch_size, n_chains):
    """What the threads of an epoch share: V (a row per data row, then per negative chain: its v),
    H (flat: their P(h | v)) and the two task counters of :func:`_epoch_tasks`."""
    n_rows = batch_size + max(batch_size, n_chains)
    return np.empty((n_rows, n_visible)), np.empty(n_rows * n_hidden), np.zeros(16, dtype=np.int64)


@njit(cache=True, error_model="numpy")
def _train_epoch_fused(
    X,
    order,
    W,
    WT,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    chains,
    states,
    learning_rate,
    momentum,
    weight_decay,
    k,
    persistent,
    batch_size,
    centered,
    visible_offset,
    hidden_offset,
    offset_rate,
):
    """One epoch of CD-k / PCD-k over the rows ``X[order]``, minibatch by minibatch, in place.

    With ``centered``, the update is the centred one (see :class:`RBM`, ``centered``), with the
    offsets mu = ``visible_offset`` and lambda = ``hidden_offset``; lambda then moves towards
    the minibatch's mean P(h | v_data) by ``offset_rate`` after each update.

    Random numbers: negative chain r draws from stream r. CD: first n_hidden numbers for the
    hidden sample of data row r, then per Gibbs step n_visible (v) and n_hidden (h, skipped in
    the last step). PCD: per step n_visible then n_hidden (the last one updates the chain).
    A unit is 1 when its number u < its probability.

    Where the time goes (digits, 64 x 100, batch 10, PCD-1), and what keeps it small:

    * products with 0/1 samples are sums of the weight rows of the units that are on
      (:func:`_sum_rows`, no multiplications), with data rows only the non-zero pixels count;
      W and W^T are both kept so every row is contiguous;
    * sigmoids use the branch-free exp of :func:`bmlib._simd.exp_nonpositive`, split into four
      vectorized loops over whole blocks of rows (:func:`_sigmoid_block`, 1.6 ns a sigmoid);
      ``error_model="numpy"`` drops Numba's zero check on every division, which otherwise keeps
      those loops scalar;
    * the chains go four at a time, their random streams stepped together in AVX2
      (:func:`_uniform_lanes`); the 0/1 samples are drawn in one vectorized loop
      (:func:`_draw`) and listed in another (:func:`_list_on`): drawn and listed in one
      loop, each sample compiled to a conditional jump that random samples mispredict half of
      the time, which had made sampling a third of the epoch;
    * with momentum = 0 and no weight decay the update is added to W directly (the velocity,
      which nothing reads then, is written only in the last minibatch of the epoch).

    The work is organised as tasks (:func:`_epoch_tasks`), so that :func:`_train_epoch_threads`
    can share each minibatch among threads and get the same result.
    """
    V, H_flat, counters = _epoch_buffers(X.shape[1], W.shape[1], batch_size, chains.shape[0])
    _epoch_tasks(
        X,
        order,
        W,
        WT,
        visible_bias,
        hidden_bias,
        velocity_W,
        velocity_visible,
        velocity_hidden,
        chains,
        states,
        learning_rate,
        momentum,
        weight_decay,
        k,
        persistent,
        batch_size,
        centered,
        visible_offset,
        hidden_offset,
        offset_rate,
        V,
        H_flat,
        1,
        counters,
    )


@njit(cache=True, parallel=True)
def _train_epoch_threads(
    X,
    order,
    W,
    WT,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    chains,
    states,
    learning_rate,
    momentum,
    weight_decay,
    k,
    persistent,
    batch_size,
    centered,
    visible_offset,
    hidden_offset,
    offset_rate,
    n_parts,
):
    """:func:`_train_epoch_fused` with each minibatch cut into ``n_parts`` parts, run by up to
    ``n_parts`` threads of Numba's pool (see :func:`_epoch_tasks`); the same result bit for bit."""
    V, H_flat, counters = _epoch_buffers(X.shape[1], W.shape[1], batch_size, chains.shape[0])
    for _ in prange(n_parts):
        _epoch_tasks(
            X,
            order,
            W,
            WT,
            visible_bias,
            hidden_bias,
            velocity_W,
            velocity_visible,
            velocity_hidden,
            chains,
            states,
            learning_rate,
            momentum,
            weight_decay,
            k,
            persistent,
            batch_size,
            centered,
            visible_offset,
            hidden_offset,
            offset_rate,
            V,
            H_flat,
            n_parts,
            counters,
        )


@njit(cache=True)
def _apply_update(W, velocity, gradient, learning_rate, momentum, weight_decay):
    """velocity = momentum * velocity + learning_rate * (gradient - weight_decay * W); W += velocity.

    One pass over memory (NumPy would need four, with temporaries the size of W).
    """
    n_rows, n_columns = W.shape
    for i in range(n_rows):
        for j in range(n_columns):
            step = momentum * velocity[i, j] + learning_rate * (gradient[i, j] - weight_decay * W[i, j])
            velocity[i, j] = step
            W[i, j] += step


def _sigmoid_numpy(a):
    """sigmoid(a) = 1 / (1 + exp(-a)) in place on the temporary ``a``, with NumPy's SIMD exp.

    NumPy's exp takes about 1 ns a number here, against 6 ns for the scalar exp that
    ``stats.sigmoid`` (a Numba ufunc) calls, which matters for the large arrays of the BLAS path.
    For a < -709, exp(-a) overflows to inf and the result is exactly 0 (the true value is below
    1e-308). The result may differ from ``stats.sigmoid`` in the last bit.
    """
    np.negative(a, out=a)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def _train_epoch_blas(
    X,
    order,
    W,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    chains,
    states,
    learning_rate,
    momentum,
    weight_decay,
    k,
    persistent,
    batch_size,
    centered,
    visible_offset,
    hidden_offset,
    offset_rate,
):
    """The same epoch as :func:`_train_epoch_fused` with NumPy (BLAS) products, same random numbers."""
    n_samples = X.shape[0]
    n_chains = chains.shape[0]
    for start in range(0, n_samples, batch_size):
        v_data = X[order[start : start + batch_size]]
        m = v_data.shape[0]
        h_data = _sigmoid_numpy(v_data @ W + hidden_bias)
        n_negative = n_chains if persistent else m
        h = chains if persistent else _bernoulli(h_data, states)
        for step in range(k):
            v_model = _bernoulli(_sigmoid_numpy(h @ W.T + visible_bias), states)
            h_model = _sigmoid_numpy(v_model @ W + hidden_bias)
            if persistent or step < k - 1:
                h = _bernoulli(h_model, states)
        if persistent:
            chains[:] = h
        # <v_i h_j>_data - <v_i h_j>_model as ONE product: [v_data; v_model]^T [h_data / m; -h_model / n]
        gradient = np.concatenate([v_data, v_model]).T @ np.concatenate([h_data / m, h_model / -n_negative])
        d_visible = v_data.mean(axis=0) - v_model.mean(axis=0)
        d_hidden = h_data.mean(axis=0) - h_model.mean(axis=0)
        if centered:
            gradient -= np.outer(visible_offset, d_hidden) + np.outer(d_visible, hidden_offset)
            d_visible = d_visible - gradient @ hidden_offset
            d_hidden = d_hidden - visible_offset @ gradient
        _apply_update(W, velocity_W, gradient, learning_rate, momentum, weight_decay)
        velocity_visible *= momentum
        velocity_visible += learning_rate * d_visible
        visible_bias += velocity_visible
        velocity_hidden *= momentum
        velocity_hidden += learning_rate * d_hidden
        hidden_bias += velocity_hidden
        if centered:
            hidden_offset += offset_rate * (h_data.mean(axis=0) - hidden_offset)


# --------------------------------------------------------------------------------------------
# Public functions of the parameters (W, visible_bias, hidden_bias)
# --------------------------------------------------------------------------------------------


def energy(v, h, W, visible_bias, hidden_bias):
    """Energy E(v, h) = - v.b - h.c - v W h of joint states.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Visible states, values in [0, 1].
    h : array_like of shape (n_samples, n_hidden) or (n_hidden,)
        Hidden states, values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)
    hidden_bias : array_like of shape (n_hidden,)

    Returns
    -------
    ndarray of shape (n_samples,), or a float for one pair of vectors
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1 and np.ndim(h) == 1
    v = _units("v", v, W.shape[0])
    h = _units("h", h, W.shape[1], "n_hidden")
    if v.shape[0] != h.shape[0]:
        raise ValueError(f"v and h must have as many rows, got {v.shape[0]} and {h.shape[0]}")
    result = -(v @ visible_bias) - (h @ hidden_bias) - ((v @ W) * h).sum(axis=1)
    return float(result[0]) if was_vector else result


def free_energy(v, W, visible_bias, hidden_bias):
    """Free energy F(v) = - log sum_h exp(-E(v, h)) = - v.b - sum_j softplus(c_j + (v W)_j).

    p(v) = exp(-F(v)) / Z: a visible vector is likely when its free energy is low.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)
    hidden_bias : array_like of shape (n_hidden,)

    Returns
    -------
    ndarray of shape (n_samples,), or a float for one vector
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0])
    result = -(v @ visible_bias) - softplus(v @ W + hidden_bias).sum(axis=1)
    return float(result[0]) if was_vector else result


def hidden_probabilities(v, W, hidden_bias):
    """P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij), each hidden unit independently.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    hidden_bias : array_like of shape (n_hidden,)

    Returns
    -------
    ndarray of shape (n_samples, n_hidden), or (n_hidden,) for one vector
    """
    W, hidden_bias = _parameters(W, hidden_bias=hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0])
    return _squeeze(sigmoid(v @ W + hidden_bias), was_vector)


def visible_probabilities(h, W, visible_bias):
    """P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j), each visible unit independently.

    Parameters
    ----------
    h : array_like of shape (n_samples, n_hidden) or (n_hidden,)
        Values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)

    Returns
    -------
    ndarray of shape (n_samples, n_visible), or (n_visible,) for one vector
    """
    W, visible_bias = _parameters(W, visible_bias)
    was_vector = np.ndim(h) == 1
    h = _units("h", h, W.shape[1], "n_hidden")
    return _squeeze(sigmoid(h @ W.T + visible_bias), was_vector)


def sample_hidden(v, W, hidden_bias, seed=None):
    """Draw h ~ P(h | v): hidden unit j is 1 with probability sigmoid(c_j + (v W)_j).

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
    W : array_like of shape (n_visible, n_hidden)
    hidden_bias : array_like of shape (n_hidden,)
    seed : int, numpy.random.Generator or None
        Row r uses random stream r of this seed.

    Returns
    -------
    ndarray of shape (n_samples, n_hidden) of 0.0 and 1.0, or (n_hidden,) for one vector
    """
    was_vector = np.ndim(v) == 1
    p = np.atleast_2d(hidden_probabilities(v, W, hidden_bias))
    return _squeeze(_bernoulli(p, rng.stream_states(seed, p.shape[0])), was_vector)


def sample_visible(h, W, visible_bias, seed=None):
    """Draw v ~ P(v | h): visible unit i is 1 with probability sigmoid(b_i + (W h)_i).

    Parameters
    ----------
    h : array_like of shape (n_samples, n_hidden) or (n_hidden,)
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)
    seed : int, numpy.random.Generator or None
        Row r uses random stream r of this seed.

    Returns
    -------
    ndarray of shape (n_samples, n_visible) of 0.0 and 1.0, or (n_visible,) for one vector
    """
    was_vector = np.ndim(h) == 1
    p = np.atleast_2d(visible_probabilities(h, W, visible_bias))
    return _squeeze(_bernoulli(p, rng.stream_states(seed, p.shape[0])), was_vector)


def gibbs(v, W, visible_bias, hidden_bias, k=1, seed=None):
    """Run k steps of block Gibbs sampling v -> h -> v' from each row of ``v``.

    One step samples h ~ P(h | v), then v' ~ P(v | h). After many steps the rows are samples of
    the model's p(v), whatever they started from. ``v`` itself is not changed.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Starting states, values in [0, 1] (probabilities are fine: the first step samples h).
    W, visible_bias, hidden_bias : the RBM's parameters, shapes (n_visible, n_hidden),
        (n_visible,), (n_hidden,)
    k : int
        Number of steps, >= 1.
    seed : int, numpy.random.Generator or None
        Chain r uses random stream r of this seed.

    Returns
    -------
    ndarray of shape (n_samples, n_visible) of 0.0 and 1.0, or (n_visible,) for one vector
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0]).copy()
    k = _positive_int("k", k)
    _gibbs_chains(
        v, W, np.ascontiguousarray(W.T), visible_bias, hidden_bias, k, rng.stream_states(seed, len(v))
    )
    return _squeeze(v, was_vector)


def reconstruct(v, W, visible_bias, hidden_bias):
    """Mean-field reconstruction P(v' = 1 | h = P(h = 1 | v)): up to the hidden layer and back.

    Deterministic: probabilities, not samples, at both layers.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    ndarray of shape (n_samples, n_visible), or (n_visible,) for one vector
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0])
    return _squeeze(sigmoid(sigmoid(v @ W + hidden_bias) @ W.T + visible_bias), was_vector)


def sample(n_samples, W, visible_bias, hidden_bias, n_steps=1000, seed=None, start=None):
    """Draw ``n_samples`` fantasy vectors from the model by running independent Gibbs chains.

    Parameters
    ----------
    n_samples : int
        Number of chains (>= 1); ignored when ``start`` is given.
    W, visible_bias, hidden_bias : the RBM's parameters
    n_steps : int
        Gibbs steps per chain, >= 1.
    seed : int, numpy.random.Generator or None
    start : array_like of shape (n_chains, n_visible) or None
        Where the chains start. None: uniformly random 0/1 vectors drawn from ``seed``.

    Returns
    -------
    ndarray of shape (n_chains, n_visible) of 0.0 and 1.0
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    n_steps = _positive_int("n_steps", n_steps)
    generator = rng.as_generator(seed)
    if start is None:
        n_samples = _positive_int("n_samples", n_samples)
        start = (generator.random((n_samples, W.shape[0])) < 0.5).astype(np.float64)
    else:
        start = _units("start", start, W.shape[0])
    return gibbs(start, W, visible_bias, hidden_bias, k=n_steps, seed=generator)


def cd_update(v, W, visible_bias, hidden_bias, k=1, learning_rate=0.1, seed=None):
    """One CD-k update of (W, visible_bias, hidden_bias) on the minibatch ``v``; returns new copies.

    The step :class:`RBM` repeats for every minibatch (here without momentum or weight decay):

    1. h0_probs = P(h = 1 | v0) for the data v0, and a sample h ~ h0_probs;
    2. k times: v ~ P(v | h), h_probs = P(h = 1 | v) (and h ~ h_probs, except in the last step);
    3. W += learning_rate * (v0^T h0_probs - v_k^T h_probs) / n_samples, and likewise
       b += learning_rate * mean(v0 - v_k), c += learning_rate * mean(h0_probs - h_probs).

    Random numbers: row r draws from stream r of ``seed`` (see :mod:`bmlib.rng`), in this order:
    n_hidden numbers for h, then per step n_visible for v and n_hidden for h (none in the last
    step). Unit j of a sample is 1 when its number u_j < its probability.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        The minibatch, values in [0, 1].
    W, visible_bias, hidden_bias : the RBM's parameters (not modified)
    k : int
        Gibbs steps, >= 1.
    learning_rate : float > 0
    seed : int, numpy.random.Generator or None

    Returns
    -------
    W, visible_bias, hidden_bias : new ndarrays of shapes (n_visible, n_hidden), (n_visible,),
        (n_hidden,)
    """
    W, visible_bias, hidden_bias = (p.copy() for p in _parameters(W, visible_bias, hidden_bias))
    v = _units("v", v, W.shape[0])
    k = _positive_int("k", k)
    learning_rate = _validate.positive_scalar("learning_rate", learning_rate)
    n = len(v)
    velocities = (np.zeros_like(W), np.zeros_like(visible_bias), np.zeros_like(hidden_bias))
    _train_epoch_fused(
        v,
        np.arange(n, dtype=np.int64),
        W,
        np.ascontiguousarray(W.T),
        visible_bias,
        hidden_bias,
        *velocities,
        np.zeros((n, W.shape[1])),
        rng.stream_states(seed, n),
        learning_rate,
        0.0,
        0.0,
        k,
        False,
        n,
        False,
        np.zeros(W.shape[0]),
        np.zeros(W.shape[1]),
        0.0,
    )
    return W, visible_bias, hidden_bias


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
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    X = _units("X", X, W.shape[0])
    return float(_pseudo_log_likelihood_rows(X, W, visible_bias, hidden_bias).mean())


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
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    X = _units("X", X, W.shape[0])
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
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
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


def log_partition_function(W, visible_bias, hidden_bias):
    """Exact log Z = log sum_{v,h} exp(-E(v, h)), by enumerating the smaller layer.

    With the n_hidden <= n_visible layer enumerated, log Z = logsumexp over h of
    (c.h + sum_i softplus(b_i + (W h)_i)); symmetrically for the visible layer. 2^m terms for
    m = min(n_visible, n_hidden) <= ``EXACT_LIMIT``. The same as
    ``log_partition(W, visible_bias, hidden_bias, method="exact")``.

    Parameters
    ----------
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    float
    """
    return log_partition(W, visible_bias, hidden_bias, method="exact")


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
        A log Z computed before (from :func:`log_partition`); then ``method`` is not used.
    n_runs, betas, seed : AIS settings, see :func:`log_partition`.

    Returns
    -------
    float
        With ``method="exact"`` or a given ``log_z``.
    (float, float)
        With ``method="ais"``: the estimate and the standard error of its log Z.
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    X = _binary_units("X", X, W.shape[0])
    mean_free_energy = float(free_energy(X, W, visible_bias, hidden_bias).mean())
    if log_z is not None:
        if isinstance(log_z, bool) or np.ndim(log_z) != 0:
            raise TypeError(f"log_z must be a single number, got {_validate._show(log_z)}")
        return -mean_free_energy - float(_validate.real_array("log_z", log_z))
    if method == "exact":
        return -mean_free_energy - log_partition(W, visible_bias, hidden_bias, method="exact")
    if method == "ais":
        estimate, error = log_partition(
            W, visible_bias, hidden_bias, method="ais", X=X, n_runs=n_runs, betas=betas, seed=seed
        )
        return -mean_free_energy - estimate, error
    raise ValueError(f"method must be 'exact' or 'ais', got {method!r}")


# --------------------------------------------------------------------------------------------
# Parallel tempering (a training sampler)
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _joint_energy(v, h, W, visible_bias, hidden_bias):
    """E(v, h) = - b.v - c.h - v W h for one pair of 0/1 vectors."""
    n_visible, n_hidden = W.shape
    total = 0.0
    for j in range(n_hidden):
        if h[j] != 0.0:
            total -= hidden_bias[j]
            for i in range(n_visible):
                total -= v[i] * W[i, j]
    for i in range(n_visible):
        total -= visible_bias[i] * v[i]
    return total


@njit(cache=True, error_model="numpy")
def _tempered_chains(V, H, W, WT, visible_bias, hidden_bias, betas, k, parity, states, swaps):
    """k block Gibbs steps of every replica, then one round of swaps between neighbours (in place).

    V has shape (n_temperatures, n_chains, n_visible), H (n_temperatures, n_chains, n_hidden):
    replica t of chain r samples p_t(v, h) ~ exp(-beta_t E(v, h)). A step draws
    v_i ~ sigmoid(beta_t (b_i + (W h)_i)), then h_j ~ sigmoid(beta_t (c_j + (v W)_j)). Then the
    pairs (t, t + 1) with t = parity, parity + 2, ... exchange their states with probability
    min(1, exp((beta_t - beta_{t+1}) (E_t - E_{t+1}))), which keeps the joint distribution of
    all replicas invariant. ``swaps[t]`` counts accepted exchanges of pair (t, t + 1).
    Chain r (all of its replicas) draws from stream r: per step and replica n_visible then
    n_hidden numbers, then one number per attempted swap that would raise the energy
    (log_accept < 0; the others are always accepted). As in :func:`_train_epoch_fused`: sums
    of weight rows for the units that are on, vectorized sigmoids, the stream in local variables.
    """
    n_temperatures, n_chains, n_visible = V.shape
    n_hidden = H.shape[2]
    a_visible = np.empty(n_visible)
    a_hidden = np.empty(n_hidden)
    p_visible = np.empty(n_visible)
    p_hidden = np.empty(n_hidden)
    rows = np.empty(max(n_visible, n_hidden), dtype=np.int64)
    scaled = np.empty(max(n_visible, n_hidden))
    reduced = np.empty(max(n_visible, n_hidden))
    numbers = np.empty(max(n_visible, n_hidden))
    for r in range(n_chains):
        s0, s1, s2, s3 = states[r, 0], states[r, 1], states[r, 2], states[r, 3]
        for _ in range(k):
            for t in range(n_temperatures):
                beta = betas[t]
                v = V[t, r]
                h = H[t, r]
                count = _list_on(h, rows)
                a_visible[:] = visible_bias
                _sum_rows(a_visible, WT, rows, count)
                for i in range(n_visible):
                    a_visible[i] *= beta
                _sigmoid_block(a_visible, p_visible, scaled, reduced)
                for i in range(n_visible):
                    numbers[i], s0, s1, s2, s3 = _uniform(s0, s1, s2, s3)
                _draw(numbers, 0, 1, p_visible, v)
                count = _list_on(v, rows)
                a_hidden[:] = hidden_bias
                _sum_rows(a_hidden, W, rows, count)
                for j in range(n_hidden):
                    a_hidden[j] *= beta
                _sigmoid_block(a_hidden, p_hidden, scaled, reduced)
                for j in range(n_hidden):
                    numbers[j], s0, s1, s2, s3 = _uniform(s0, s1, s2, s3)
                _draw(numbers, 0, 1, p_hidden, h)
        for t in range(parity, n_temperatures - 1, 2):
            e_low = _joint_energy(V[t, r], H[t, r], W, visible_bias, hidden_bias)
            e_high = _joint_energy(V[t + 1, r], H[t + 1, r], W, visible_bias, hidden_bias)
            log_accept = (betas[t] - betas[t + 1]) * (e_low - e_high)
            accept = log_accept >= 0.0
            if not accept:
                u, s0, s1, s2, s3 = _uniform(s0, s1, s2, s3)
                accept = u < np.exp(log_accept)
            if accept:
                for i in range(n_visible):
                    V[t, r, i], V[t + 1, r, i] = V[t + 1, r, i], V[t, r, i]
                for j in range(n_hidden):
                    H[t, r, j], H[t + 1, r, j] = H[t + 1, r, j], H[t, r, j]
                swaps[t] += 1
        states[r, 0], states[r, 1], states[r, 2], states[r, 3] = s0, s1, s2, s3


def _train_epoch_tempered(
    X,
    order,
    W,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    V,
    H,
    states,
    learning_rate,
    momentum,
    weight_decay,
    k,
    batch_size,
    betas,
    swaps,
    attempts,
    n_updates,
):
    """One epoch with parallel tempering as the negative phase; returns the number of updates made.

    The positive phase is P(h | v_data) for the minibatch; the negative phase is the beta = 1
    replica of each chain after :func:`_tempered_chains`, with P(h | v_model); the update is the
    one of :func:`_train_epoch_blas`.
    """
    n_samples = X.shape[0]
    n_chains = V.shape[1]
    for start in range(0, n_samples, batch_size):
        v_data = X[order[start : start + batch_size]]
        m = v_data.shape[0]
        h_data = sigmoid(v_data @ W + hidden_bias)
        parity = n_updates % 2
        _tempered_chains(
            V, H, W, np.ascontiguousarray(W.T), visible_bias, hidden_bias, betas, k, parity, states, swaps
        )
        attempts[parity : len(betas) - 1 : 2] += n_chains
        n_updates += 1
        v_model = V[0]
        h_model = sigmoid(v_model @ W + hidden_bias)
        gradient = v_data.T @ h_data / m - v_model.T @ h_model / n_chains
        _apply_update(W, velocity_W, gradient, learning_rate, momentum, weight_decay)
        velocity_visible *= momentum
        velocity_visible += learning_rate * (v_data.mean(axis=0) - v_model.mean(axis=0))
        visible_bias += velocity_visible
        velocity_hidden *= momentum
        velocity_hidden += learning_rate * (h_data.mean(axis=0) - h_model.mean(axis=0))
        hidden_bias += velocity_hidden
    return n_updates


# --------------------------------------------------------------------------------------------
# Evaluation: exact log Z by chunks, annealed importance sampling
# --------------------------------------------------------------------------------------------

_EXACT_CHUNKS = 256  # fixed pieces of the Gray-code walk (independent of the thread count)


@njit(cache=True)
def _walk_states(W, bias_sum, bias_other, first, last):
    """(max, sum of exp(term - max)) over the Gray-code states first..last-1 of the first layer of W.

    W has shape (n_sum, n_other): the first layer is enumerated. The term of state s is
    bias_sum.s + sum_k softplus(bias_other_k + (s W)_k), i.e. log sum_t exp(-E(s, t)).
    The walk starts from the Gray code of ``first``, then flips one unit per state.
    """
    n_sum, n_other = W.shape
    gray = first ^ (first >> 1)
    s = np.empty(n_sum)
    a = bias_other.copy()
    linear = 0.0
    for i in range(n_sum):
        s[i] = np.float64((gray >> i) & 1)
        if s[i] != 0.0:
            linear += bias_sum[i]
            for k in range(n_other):
                a[k] += W[i, k]
    terms = np.empty(last - first)
    for index in range(first, last):
        if index > first:
            # Gray code: state index differs from index - 1 in the lowest set bit of index
            flip = 0
            while not (index >> flip) & 1:
                flip += 1
            d = 1.0 - 2.0 * s[flip]
            s[flip] += d
            linear += d * bias_sum[flip]
            for k in range(n_other):
                a[k] += d * W[flip, k]
        # sum_k softplus(a_k) = sum_k max(a_k, 0) + log prod_k (1 + exp(-|a_k|)): one exp per
        # unit and one log per state (each factor is in (1, 2], so 512 of them cannot overflow)
        total = linear
        product = 1.0
        for k in range(n_other):
            x = a[k]
            total += max(x, 0.0)
            product *= 1.0 + np.exp(-abs(x))
            if (k & 511) == 511:
                total += np.log(product)
                product = 1.0
        terms[index - first] = total + np.log(product)
    m = terms.max()
    return m, np.exp(terms - m).sum()


@njit(cache=True, parallel=True)
def _log_partition_chunks(W, bias_sum, bias_other, n_chunks):
    """log Z = logsumexp over the 2^n_sum states of the first layer of W, in parallel chunks.

    The Gray-code walk is cut into ``n_chunks`` consecutive pieces (:func:`_walk_states`), run in
    parallel and combined with a log-sum-exp. The pieces are fixed, so the result does not
    depend on how many threads run them.
    """
    n_states = np.int64(1) << W.shape[0]
    n_chunks = min(n_chunks, n_states)
    maxima = np.empty(n_chunks)
    sums = np.empty(n_chunks)
    for p in prange(n_chunks):
        first = p * n_states // n_chunks
        last = (p + 1) * n_states // n_chunks
        maxima[p], sums[p] = _walk_states(W, bias_sum, bias_other, first, last)
    m = maxima.max()
    total = 0.0
    for p in range(n_chunks):
        total += sums[p] * np.exp(maxima[p] - m)
    return m + np.log(total)


@njit(cache=True)
def _half_layer_sums(W, offset, bias_other, bias_sum, n_bits):
    """For every state s of the units offset..offset+n_bits-1 of the first layer of W: the field
    bias_other + sum_i s_i W[offset + i] (shape (2^n_bits, n_other)) and bias_sum.s (2^n_bits,)."""
    n_states = 1 << n_bits
    fields = np.empty((n_states, W.shape[1]))
    linear = np.empty(n_states)
    fields[0] = bias_other
    linear[0] = 0.0
    for state in range(1, n_states):
        top = 0
        while state >> (top + 1):
            top += 1
        previous = state ^ (1 << top)  # the same state without its highest unit
        for k in range(W.shape[1]):
            fields[state, k] = fields[previous, k] + W[offset + top, k]
        linear[state] = linear[previous] + bias_sum[offset + top]
    return fields, linear


@njit(cache=True, parallel=True)
def _log_partition_split(W, bias_sum, bias_other):
    """log Z over the 2^n_sum states of the first layer of W, with no exp per state.

    Split the enumerated units into a low half (states l) and a high half (states u): the field
    of unit k of the other layer is a_k = A[l, k] + B[u, k] (B holding the bias). With
    t_k = max_l A[l, k] + max(0, max_u B[u, k]), softplus(a_k) = t_k + log(exp(-t_k) + E[l, k] F[u, k])
    where E = exp(A - max A) <= 1 and F = exp(B - max(0, max B)) <= 1 are tables computed once.
    Each factor is in (0, 2]; the logs are taken once per segment of units whose t_k add up to at
    most 600 (so no product underflows). Returns NaN when a single t_k exceeds 600 (then the
    caller walks the states instead). Parallel over the high states, each giving its own
    (max, sum) as in :func:`_log_partition_chunks`, so the result does not depend on the threads.
    """
    n_sum, n_other = W.shape
    n_low = n_sum // 2
    n_high = n_sum - n_low
    A, linear_low = _half_layer_sums(W, 0, np.zeros(n_other), bias_sum, n_low)
    B, linear_high = _half_layer_sums(W, n_low, bias_other, bias_sum, n_high)
    shift_low = np.empty(n_other)
    shift_high = np.empty(n_other)
    for k in range(n_other):
        shift_low[k] = A[:, k].max()
        shift_high[k] = max(0.0, B[:, k].max())
    shift = shift_low + shift_high
    if shift.max() > 600.0:
        return np.nan
    E = np.exp(A - shift_low)
    F = np.exp(B - shift_high)
    floor = np.exp(-shift)
    ends = np.empty(n_other, dtype=np.int64)  # ends of the segments of units
    n_segments = 0
    running = 0.0
    length = 0
    for k in range(n_other):
        if running + shift[k] > 600.0 or length == 512:
            ends[n_segments] = k
            n_segments += 1
            running = 0.0
            length = 0
        running += shift[k]
        length += 1
    ends[n_segments] = n_other
    n_segments += 1
    # a plain loop, not shift.sum(): in a parallel=True function Numba splits an array sum by
    # thread count, and the order of a float sum changes its last bits
    constant = 0.0
    for k in range(n_other):
        constant += shift[k]
    n_low_states = 1 << n_low
    n_high_states = 1 << n_high
    maxima = np.empty(n_high_states)
    sums = np.empty(n_high_states)
    for u in prange(n_high_states):
        terms = np.empty(n_low_states)
        f = F[u]
        for low in range(n_low_states):
            e = E[low]
            total = constant + linear_low[low] + linear_high[u]
            start = 0
            for g in range(n_segments):
                product = 1.0
                for k in range(start, ends[g]):
                    product *= floor[k] + e[k] * f[k]
                total += np.log(product)
                start = ends[g]
            terms[low] = total
        m = terms.max()
        maxima[u] = m
        sums[u] = np.exp(terms - m).sum()
    m = maxima.max()
    total = 0.0
    for u in range(n_high_states):
        total += sums[u] * np.exp(maxima[u] - m)
    return m + np.log(total)


def _log_partition_exact(W, bias_sum, bias_other):
    """log Z summing over the first layer of W: a serial Gray-code walk up to 2^14 states (where
    starting threads costs more than the sum), else the split-table kernel, else (fields beyond
    600, where its tables would underflow) the Gray-code walk in ``_EXACT_CHUNKS`` parallel chunks."""
    n_states = 1 << W.shape[0]
    if n_states <= 1 << 14:
        m, total = _walk_states(W, bias_sum, bias_other, 0, n_states)
        return m + np.log(total)
    result = _log_partition_split(W, bias_sum, bias_other)
    if np.isnan(result):
        result = _log_partition_chunks(W, bias_sum, bias_other, _EXACT_CHUNKS)
    return result


@njit(cache=True, inline="always")
def _softplus_difference(a, beta, previous, x, factors, factors_previous):
    """sum_j [softplus(beta a_j) - softplus(previous a_j)] for 0 <= previous < beta, storing
    x_j = beta a_j and factors_j = exp(-|x_j|) for the Gibbs step that follows.

    softplus(x) = max(x, 0) + log(1 + exp(-|x|)), and for beta >= 0, max(beta a, 0) = beta max(a, 0)
    and |beta a| = beta |a|. So the difference is (beta - previous) sum_j max(a_j, 0) plus the log
    of prod_j (1 + exp(-beta |a_j|)) / (1 + exp(-previous |a_j|)): the exps of both temperatures
    in one vectorized loop, then the sum and the two products in four interleaved accumulators
    (four independent dependency chains), and one log per 512 units (each factor is in (1, 2], so
    a product of 512 cannot overflow). Taking the log of the ratio also avoids subtracting two
    large, nearly equal sums.
    """
    n = a.shape[0]
    for j in range(n):
        y = a[j]
        x[j] = beta * y
        factors[j] = exp_nonpositive(-beta * abs(y))
        factors_previous[j] = exp_nonpositive(-previous * abs(y))
    s0 = s1 = s2 = s3 = 0.0
    p0 = p1 = p2 = p3 = 1.0
    q0 = q1 = q2 = q3 = 1.0
    logs = 0.0
    j = 0
    while j + 4 <= n:
        s0 += max(a[j], 0.0)
        s1 += max(a[j + 1], 0.0)
        s2 += max(a[j + 2], 0.0)
        s3 += max(a[j + 3], 0.0)
        p0 *= 1.0 + factors[j]
        p1 *= 1.0 + factors[j + 1]
        p2 *= 1.0 + factors[j + 2]
        p3 *= 1.0 + factors[j + 3]
        q0 *= 1.0 + factors_previous[j]
        q1 *= 1.0 + factors_previous[j + 1]
        q2 *= 1.0 + factors_previous[j + 2]
        q3 *= 1.0 + factors_previous[j + 3]
        j += 4
        if (j & 511) == 0:
            logs += np.log(((p0 * p1) * (p2 * p3)) / ((q0 * q1) * (q2 * q3)))
            p0 = p1 = p2 = p3 = q0 = q1 = q2 = q3 = 1.0
    while j < n:
        s0 += max(a[j], 0.0)
        p0 *= 1.0 + factors[j]
        q0 *= 1.0 + factors_previous[j]
        j += 1
    logs += np.log(((p0 * p1) * (p2 * p3)) / ((q0 * q1) * (q2 * q3)))
    return (beta - previous) * ((s0 + s1) + (s2 + s3)) + logs


@intrinsic
def _uniform_lanes(typingctx, lanes, u, n_draws):
    """u[4 m + l] = the m-th next number of stream l (l = 0..3, m < n_draws) for the four
    xoshiro256** streams held in ``lanes`` (4 x 4 uint64: lanes[w, l] is word w of stream l),
    which are advanced. Each number is exactly :func:`bmlib.rng.next_double`'s (top 53 bits
    times 2^-53), so lane l reproduces stream l bit for bit.

    The four streams are stepped together in 256-bit vectors (AVX2 on the course machine): about
    0.7 ns a number against 1.1 ns for one stream in scalar code. Written as LLVM IR because LLVM
    does not vectorize the scalar loop over four streams by itself. AVX2 has no 64-bit integer to
    double conversion, so the 53 bits are converted as two exact halves: hi = bits 32..63 and
    lo = bits 11..31, each turned into a double by or-ing it into the mantissa of 2^52 and
    subtracting 2^52, then (hi 2^21 + lo) 2^-53, every operation exact.
    """
    sig = types.void(lanes, u, n_draws)

    def codegen(context, builder, signature, args):
        lanes_data = context.make_array(signature.args[0])(context, builder, args[0]).data
        u_data = context.make_array(signature.args[1])(context, builder, args[1]).data
        i64 = ir.IntType(64)
        words = ir.VectorType(i64, 4)
        doubles = ir.VectorType(ir.DoubleType(), 4)

        def splat(value):
            return ir.Constant(words, [value] * 4)

        def fsplat(value):
            return ir.Constant(doubles, [value] * 4)

        def rotl(x, k):
            return builder.or_(builder.shl(x, splat(k)), builder.lshr(x, splat(64 - k)))

        state = builder.bitcast(lanes_data, words.as_pointer())
        out = builder.bitcast(u_data, doubles.as_pointer())
        slots = []
        for w in range(4):
            slot = cgutils.alloca_once(builder, words)
            builder.store(builder.load(builder.gep(state, [ir.Constant(i64, w)]), align=8), slot)
            slots.append(slot)
        with cgutils.for_range(builder, args[2]) as loop:
            s0, s1, s2, s3 = (builder.load(slot) for slot in slots)
            five = builder.add(builder.shl(s1, splat(2)), s1)  # s1 * 5
            rotated = rotl(five, 7)
            result = builder.add(builder.shl(rotated, splat(3)), rotated)  # * 9
            t = builder.shl(s1, splat(17))
            s2 = builder.xor(s2, s0)
            s3 = builder.xor(s3, s1)
            s1 = builder.xor(s1, s2)
            s0 = builder.xor(s0, s3)
            s2 = builder.xor(s2, t)
            s3 = rotl(s3, 45)
            for slot, value in zip(slots, (s0, s1, s2, s3), strict=True):
                builder.store(value, slot)
            exponent = splat(0x4330000000000000)  # 2^52
            hi = builder.bitcast(builder.or_(builder.lshr(result, splat(32)), exponent), doubles)
            lo = builder.and_(builder.lshr(result, splat(11)), splat(0x1FFFFF))
            lo = builder.bitcast(builder.or_(lo, exponent), doubles)
            hi = builder.fsub(hi, fsplat(2.0**52))
            lo = builder.fsub(lo, fsplat(2.0**52))
            value = builder.fmul(builder.fadd(builder.fmul(hi, fsplat(2.0**21)), lo), fsplat(2.0**-53))
            builder.store(value, builder.gep(out, [loop.index]), align=8)
        for w in range(4):
            builder.store(builder.load(slots[w]), builder.gep(state, [ir.Constant(i64, w)]), align=8)
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def _draw_codes(x, factors, u, on, codes):
    """Draw units_i = [u_i < sigmoid(x_i)] (factors_i = exp(-|x_i|)) for the 4 len(codes) units
    and store them four at a time as codes[g] = sum_l units_{4g+l} 2^l.

    sigmoid(x) = n / (1 + e) with e = exp(-|x|) and n = 1 (x >= 0) or e (x < 0), so the test is
    u (1 + e) < n: the same event in real arithmetic, without a division (both loops vectorize).
    """
    for i in range(4 * codes.shape[0]):
        e = factors[i]
        on[i] = np.int64(u[i] * (1.0 + e) < (1.0 if x[i] >= 0.0 else e))
    for g in range(codes.shape[0]):
        codes[g] = (on[4 * g] | (on[4 * g + 1] << 1)) | ((on[4 * g + 2] << 2) | (on[4 * g + 3] << 3))


@njit(cache=True, inline="always")
def _sum_table_rows(out, start, table, codes):
    """out = start + sum_g table[g, codes[g]], four rows per pass over ``out``."""
    n = out.shape[0]
    n_groups = codes.shape[0]
    for j in range(n):
        out[j] = start[j]
    g = 0
    while g + 4 <= n_groups:
        c0, c1, c2, c3 = codes[g], codes[g + 1], codes[g + 2], codes[g + 3]
        for j in range(n):
            out[j] += (table[g, c0, j] + table[g + 1, c1, j]) + (table[g + 2, c2, j] + table[g + 3, c3, j])
        g += 4
    while g < n_groups:
        c0 = codes[g]
        for j in range(n):
            out[j] += table[g, c0, j]
        g += 1


@njit(cache=True)
def _fill_group_table(table, M):
    """table[g, code, :M.shape[1]] = sum of the rows M[4 g + l] over the bits l of ``code`` (rows
    past the end of M count as zero), each sum one row added to a shorter one in a fixed order."""
    n_rows, n = M.shape
    for g in range(table.shape[0]):
        for j in range(table.shape[2]):
            table[g, 0, j] = 0.0
        for code in range(1, 16):
            low = 0
            while not (code >> low) & 1:
                low += 1
            rest = code - (1 << low)
            i = 4 * g + low
            for j in range(n):
                table[g, code, j] = table[g, rest, j] + (M[i, j] if i < n_rows else 0.0)


def _group_table(M):
    """The table of :func:`_fill_group_table` for the rows of M in groups of four: shape
    (ceil(rows / 4), 16, columns rounded up to 8), zero-padded, its rows aligned to 64 bytes
    (a row of 64 doubles then spans exactly 8 cache lines)."""
    n_rows, n = M.shape
    shape = (-(-n_rows // 4), 16, -(-n // 8) * 8)
    size = shape[0] * shape[1] * shape[2]
    buffer = np.zeros(size + 8)
    offset = (-buffer.ctypes.data % 64) // 8
    table = buffer[offset : offset + size].reshape(shape)
    _fill_group_table(table, M)
    return table


@njit(cache=True, parallel=True, error_model="numpy")
def _ais_runs(visible_bias, hidden_bias, base_bias, betas, states, hidden_table, visible_table):
    """Log importance weights of AIS runs, four random streams per run (Salakhutdinov & Murray 2008).

    Run r: v ~ p_0 (independent units, P(v_i = 1) = sigmoid(b_A_i)); then for k = 1..K
    log w += log p*_k(v) - log p*_{k-1}(v), with
    log p*_beta(v) = (1 - beta) b_A.v + beta b.v + sum_j softplus(beta a_j),  a_j = c_j + (v W)_j,
    and (for k < K) one Gibbs step that leaves p_k invariant:
    h_j ~ sigmoid(beta_k a_j), v_i ~ sigmoid((1 - beta_k) b_A_i + beta_k (b_i + (W h)_i)).

    The products with W come from tables over groups of four units (:func:`_group_table`):
    ``hidden_table[g, code]`` = sum of the columns W[:, 4g + l] over the bits l of code, and
    ``visible_table[g, code]`` = the same sum of rows of [W | b | b_A], so W h is the sum of
    ceil(n_hidden / 4) table rows, and a, b.v and b_A.v of ceil(n_visible / 4) (computed afresh
    each step, so no rounding accumulates: a 64 x 100 RBM takes 25 + 16 rows a step, against about
    44 + 16 rows of W for updating W h and a by the units that changed). The units are drawn
    with :func:`_draw_codes`, the exps are :func:`bmlib._simd.exp_nonpositive` in vectorized
    loops, and ``error_model="numpy"`` lets the divisions vectorize.

    Random numbers: run r owns streams 4r..4r+3 of ``states`` (shape (4 n_runs, 4)), stepped
    together by :func:`_uniform_lanes`. A layer of n units draws ceil(n / 4) numbers from each of
    the four (for v_0, then per step the hidden and the visible layer): unit i takes the
    (i div 4)-th number of stream 4r + (i mod 4); the numbers of the (up to 3) padding units
    are drawn and not used.
    """
    n_runs = states.shape[0] // 4
    n_visible, n_hidden = visible_bias.shape[0], hidden_bias.shape[0]
    n_betas = betas.shape[0]
    groups_hidden, groups_visible = hidden_table.shape[0], visible_table.shape[0]
    zeros = np.zeros(hidden_table.shape[2])
    start = np.zeros(visible_table.shape[2])  # c, then 0 for the bias columns and the padding
    start[:n_hidden] = hidden_bias
    log_weights = np.empty(n_runs)
    for r in prange(n_runs):
        lanes = np.empty((4, 4), dtype=np.uint64)
        for lane in range(4):
            for w in range(4):
                lanes[w, lane] = states[4 * r + lane, w]
        u = np.empty(4 * max(groups_hidden, groups_visible))
        on = np.empty(u.shape[0], dtype=np.int64)
        codes_hidden = np.empty(groups_hidden, dtype=np.int64)
        codes_visible = np.empty(groups_visible, dtype=np.int64)
        x_hidden = np.zeros(4 * groups_hidden)  # padding units: x = 0, factor 1 (drawn, unused)
        factors_hidden = np.ones(4 * groups_hidden)
        factors_previous = np.empty(n_hidden)
        x_visible = np.zeros(4 * groups_visible)
        factors_visible = np.ones(4 * groups_visible)
        wh = np.empty(hidden_table.shape[2])  # W h (then padding)
        fields = np.empty(visible_table.shape[2])  # a = c + v W, b.v, b_A.v (then padding)
        a = fields[:n_hidden]
        for i in range(n_visible):
            x_visible[i] = base_bias[i]
            factors_visible[i] = exp_nonpositive(-abs(base_bias[i]))
        _uniform_lanes(lanes, u, groups_visible)
        _draw_codes(x_visible, factors_visible, u, on, codes_visible)
        _sum_table_rows(fields, start, visible_table, codes_visible)
        log_w = 0.0
        for k in range(1, n_betas):
            beta, previous = betas[k], betas[k - 1]
            # log p*_k(v) - log p*_{k-1}(v); keeps beta_k's x and factors for the Gibbs step
            log_w += (beta - previous) * (fields[n_hidden] - fields[n_hidden + 1])
            log_w += _softplus_difference(a, beta, previous, x_hidden, factors_hidden, factors_previous)
            if k == n_betas - 1:
                break
            # h_j ~ sigmoid(beta a_j), then W h from the table
            _uniform_lanes(lanes, u, groups_hidden)
            _draw_codes(x_hidden, factors_hidden, u, on, codes_hidden)
            _sum_table_rows(wh, zeros, hidden_table, codes_hidden)
            # v_i ~ sigmoid((1 - beta) b_A_i + beta (b_i + (W h)_i)), then a, b.v, b_A.v from the table
            for i in range(n_visible):
                y = (1.0 - beta) * base_bias[i] + beta * (visible_bias[i] + wh[i])
                x_visible[i] = y
                factors_visible[i] = exp_nonpositive(-abs(y))
            _uniform_lanes(lanes, u, groups_visible)
            _draw_codes(x_visible, factors_visible, u, on, codes_visible)
            _sum_table_rows(fields, start, visible_table, codes_visible)
        log_weights[r] = log_w
        for lane in range(4):
            for w in range(4):
                states[4 * r + lane, w] = lanes[w, lane]
    return log_weights


def ais_schedule(n_betas=10_000):
    """The default AIS schedule: inverse temperatures 0 = beta_0 < ... < beta_K = 1.

    Salakhutdinov and Murray (2008) space the betas uniformly in three pieces, densest near 1
    where the model's distribution changes fastest: here 10 % of the steps in [0, 0.5], 40 % in
    [0.5, 0.9] and 50 % in [0.9, 1] (their 14,500 betas split 500 / 4,000 / 10,000).

    Parameters
    ----------
    n_betas : int
        Number of inverse temperatures including 0 and 1, >= 10.

    Returns
    -------
    ndarray of shape (n_betas,)
    """
    n_betas = _positive_int("n_betas", n_betas, minimum=10)
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
    X = _units("X", X)
    p = np.clip(X.mean(axis=0), 0.001, 0.999)
    return np.log(p / (1.0 - p))


def ais_log_weights(W, visible_bias, hidden_bias, *, n_runs=100, betas=None, base_bias=None, seed=None):
    """The log importance weights of ``n_runs`` AIS runs, and log Z_A of the base model.

    The lower-level half of :func:`log_partition` with ``method="ais"``: log Z is estimated by
    log Z_A + log mean_r exp(log_weights[r]). See there for the maths.

    Run r draws from streams 4r..4r+3 of ``seed`` (see :func:`_ais_runs` for which number goes
    where). The kernel reads W through two tables of sums of groups of four rows or columns
    (:func:`_group_table`), each about 4 times the size of W (2 x 205 KB for 64 x 100).

    Returns
    -------
    log_weights : ndarray of shape (n_runs,)
    log_z_base : float
        log Z_A = n_hidden log 2 + sum_i softplus(b_A_i).
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    n_runs = _positive_int("n_runs", n_runs)
    betas = _betas(betas)
    if base_bias is None:
        base_bias = np.zeros(W.shape[0])
    else:
        base_bias = np.ascontiguousarray(_validate.real_array("base_bias", base_bias))
        if base_bias.shape != (W.shape[0],):
            raise ValueError(
                f"base_bias must have shape ({W.shape[0]},) (n_visible of W), got {base_bias.shape}"
            )
    states = rng.stream_states(seed, 4 * n_runs)  # four per run (see _ais_runs)
    hidden_table = _group_table(np.ascontiguousarray(W.T))
    visible_table = _group_table(np.column_stack([W, visible_bias, base_bias]))
    log_weights = _ais_runs(visible_bias, hidden_bias, base_bias, betas, states, hidden_table, visible_table)
    log_z_base = W.shape[1] * np.log(2.0) + float(softplus(base_bias).sum())
    return log_weights, log_z_base


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
        AIS only: number of independent runs R, >= 1 (100 is usual; >= 2 for an error bar).
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
    if method == "exact":
        W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
        n_visible, n_hidden = W.shape
        if min(n_visible, n_hidden) > EXACT_LIMIT:
            raise ValueError(
                f"exact log Z needs 2^min(n_visible, n_hidden) terms; min({n_visible}, {n_hidden}) "
                f"> EXACT_LIMIT = {EXACT_LIMIT}: use method='ais' to estimate it"
            )
        if n_hidden <= n_visible:
            # enumerate h: terms c.h + sum_i softplus(b_i + (W h)_i), with W^T of shape (n_hidden, n_visible)
            return float(_log_partition_exact(np.ascontiguousarray(W.T), hidden_bias, visible_bias))
        return float(_log_partition_exact(W, visible_bias, hidden_bias))
    if method == "ais":
        W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
        base_bias = None if X is None else base_rate_bias(_units("X", X, W.shape[0]))
        log_weights, log_z_base = ais_log_weights(
            W, visible_bias, hidden_bias, n_runs=n_runs, betas=betas, base_bias=base_bias, seed=seed
        )
        return _log_mean_exp(log_weights, log_z_base)
    raise ValueError(f"method must be 'exact' or 'ais', got {method!r}")


def _log_mean_exp(log_weights, offset=0.0):
    """(offset + log mean exp(log_weights), its delta-method standard error)."""
    m = log_weights.max()
    w = np.exp(log_weights - m)
    estimate = offset + m + np.log(w.mean())
    if w.size < 2:
        return float(estimate), float("nan")
    return float(estimate), float(w.std(ddof=1) / (np.sqrt(w.size) * w.mean()))


# --------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------


_OFFSET_RATE = 0.01  # centred training: how fast the hidden offsets follow P(h | data)


class RBM:
    """Bernoulli restricted Boltzmann machine trained with CD-k, PCD-k or parallel tempering.

    Follows scikit-learn's estimator conventions (``fit``, ``partial_fit``, ``transform``,
    ``get_params``/``set_params``), so it can be a step of a ``sklearn.pipeline.Pipeline``.

    Parameters
    ----------
    n_hidden : int
        Number of hidden units, >= 1.
    learning_rate : float
        Step size of the parameter updates (> 0).
    batch_size : int
        Rows per minibatch, >= 1 (also the number of persistent chains with PCD).
    n_epochs : int
        Passes over the data made by ``fit``, >= 0.
    k : int
        Gibbs steps per update: CD-k or PCD-k, >= 1.
    persistent : bool
        False: CD-k, chains restart at the data for every minibatch (Hinton 2002). True: PCD-k,
        ``batch_size`` chains continue from where the last update left them (Tieleman 2008).
        Only read when ``sampler="auto"``.
    sampler : {"auto", "cd", "pcd", "pt"}
        Where the negative phase comes from. "auto" (default): "pcd" if ``persistent`` else "cd".
        "pt": parallel tempering (Desjardins et al. 2010; Cho et al. 2010): ``batch_size``
        persistent chains, each with ``n_temperatures`` replicas at inverse temperatures
        beta_t = 1 - t / (n_temperatures - 1) (from 1 down to 0, the uniform distribution); every
        update runs k block Gibbs steps in every replica, then proposes to swap the states of
        neighbouring replicas (even pairs and odd pairs in turn), accepted with probability
        min(1, exp((beta_t - beta_t+1)(E_t - E_t+1))). The beta = 1 replicas give the samples.
        Hot replicas cross between modes easily and pass their states down, so the model's
        samples do not get stuck in one mode as PCD's chains can when the weights grow.
    n_temperatures : int
        Replicas per chain with ``sampler="pt"``, >= 2.
    momentum : float in [0, 1)
        velocity = momentum * velocity + learning_rate * gradient; parameters += velocity.
    weight_decay : float >= 0
        L2 penalty: ``weight_decay * W`` is subtracted from the weight gradient (not the biases).
    centered : bool
        Centred gradients (Montavon and Mueller 2012; Melchior, Fischer and Wiskott 2016). The
        weight gradient is taken for the centred units v - mu and h - lambda, with mu the mean of
        the data the model is initialised on (``visible_offset_``) and lambda a running mean of
        P(h | data) (``hidden_offset_``, moved by 1 % towards each minibatch's mean):
        dW = G - mu g_h^T - g_v lambda^T, db = g_v - dW lambda, dc = g_h - dW^T mu, where G, g_v
        and g_h are the plain CD/PCD gradients. The model is still an ordinary RBM (its energy,
        conditionals and samples use ``W_`` and the biases as usual): only the direction of each
        step changes. It keeps the weights from having to cancel the units' mean activity, which
        makes learning much better conditioned when units are on about half the time (Ising
        spins, say). With CD and PCD; not with ``sampler="pt"``.
    seed : int, numpy.random.Generator or None
        Seeds the initial weights, the minibatch order and every Gibbs sample: the same int
        gives the same weights in every run and process.
    verbose : bool or "auto"
        Progress after each epoch. "auto" (default) shows it only when someone is watching: a
        terminal, or a Jupyter frontend that accepts input (so nbval and ``bmlib.figures``,
        which execute notebooks without one, stay silent).
    monitor : bool
        Fill ``history_`` after every epoch (costs about one pseudo-likelihood evaluation of up
        to 1000 rows per epoch).
    shuffle : bool
        Visit the rows in a new random order every epoch (True) or in their given order.
    kernel : {"auto", "fused", "blas"}
        Implementation of an epoch; see the module docstring ("auto": fused for small shapes or
        sparse data, BLAS otherwise). Both give the same results.
    n_jobs : int or None
        Threads for the fused kernel's epochs (CD and PCD). None or 1 (default): one. n > 1: each
        minibatch is cut into n parts, run by up to n of Numba's threads (at most
        ``numba.get_num_threads()``); -1: as many parts as Numba has threads. The results are
        the same bit for bit for every value. The threads wait for each other by spinning, which
        wastes time when there are more busy threads than cores (two processes training at once
        on two cores, say), so it is off by default. Not used by ``kernel="blas"`` (BLAS has its
        own threads) or ``sampler="pt"``.

    Attributes
    ----------
    W_ : ndarray of shape (n_visible, n_hidden)
        Weights W_ij between visible unit i and hidden unit j.
    visible_bias_ : ndarray of shape (n_visible,)
        Initialised to log(p_i / (1 - p_i)) with p_i the fraction of the data where unit i is on
        (clipped to [0.001, 0.999]), as Hinton's guide recommends.
    hidden_bias_ : ndarray of shape (n_hidden,)
        Initialised to 0.
    n_features_in_ : int
        n_visible, fixed by the first ``fit``/``partial_fit``.
    history_ : dict of lists
        Per epoch: "epoch", "reconstruction_error", "pseudo_log_likelihood" (on up to 1000 fixed
        rows of the data given) and, when min(n_visible, n_hidden) <= 16 and the data are binary
        (a likelihood is defined for 0/1 data only), "log_likelihood". A later ``partial_fit`` on
        grey levels removes "log_likelihood".
    visible_offset_, hidden_offset_ : ndarray of shape (n_visible,) and (n_hidden,)
        The offsets mu and lambda of ``centered=True`` (kept, but not used, otherwise).
    persistent_chains_ : ndarray of shape (batch_size, n_hidden)
        Hidden states of the PCD chains (zeros until trained with ``persistent=True``).
    betas_ : ndarray of shape (n_temperatures,)
        With ``sampler="pt"``: the replicas' inverse temperatures, from 1 down to 0.
    swap_rates_ : ndarray of shape (n_temperatures - 1,)
        With ``sampler="pt"``: the fraction of proposed swaps between replicas t and t + 1 that
        were accepted so far (near 0 for a pair means the ladder has a gap there).

    References
    ----------
    Hinton (2002); Tieleman (2008); Hinton, *A Practical Guide to Training RBMs* (2010).
    G. Desjardins, A. Courville, Y. Bengio, P. Vincent and O. Delalleau, "Tempered Markov chain
    Monte Carlo for training of restricted Boltzmann machines", AISTATS 2010.
    K. Cho, T. Raiko and A. Ilin, "Parallel tempering is efficient for learning restricted
    Boltzmann machines", IJCNN 2010.
    """

    def __init__(
        self,
        n_hidden=64,
        *,
        learning_rate=0.1,
        batch_size=10,
        n_epochs=10,
        k=1,
        persistent=False,
        momentum=0.0,
        weight_decay=0.0,
        centered=False,
        seed=None,
        verbose="auto",
        monitor=True,
        shuffle=True,
        kernel="auto",
        sampler="auto",
        n_temperatures=10,
        n_jobs=None,
    ):
        self.n_hidden = n_hidden
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_epochs = n_epochs
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.centered = centered
        self.seed = seed
        self.verbose = verbose
        self.monitor = monitor
        self.shuffle = shuffle
        self.kernel = kernel
        self.sampler = sampler
        self.n_temperatures = n_temperatures
        self.n_jobs = n_jobs

    # scikit-learn's parameter protocol --------------------------------------------------

    @classmethod
    def _get_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self, deep=True):
        """Return the constructor parameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set constructor parameters by name; return self (scikit-learn convention)."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for RBM; valid parameters: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name in self._get_param_names()
            if not _same(getattr(self, name), defaults[name].default)
        ]
        return f"RBM({', '.join(changed)})"

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(),
        )

    # training ------------------------------------------------------------------------------

    def _check_settings(self):
        settings = {
            "n_hidden": _positive_int("n_hidden", self.n_hidden),
            "learning_rate": _positive_number("learning_rate", self.learning_rate),
            "batch_size": _positive_int("batch_size", self.batch_size),
            "n_epochs": _positive_int("n_epochs", self.n_epochs, minimum=0),
            "k": _positive_int("k", self.k),
            "momentum": _nonnegative("momentum", self.momentum, below_one=True),
            "weight_decay": _nonnegative("weight_decay", self.weight_decay),
            "n_temperatures": _positive_int("n_temperatures", self.n_temperatures, minimum=2),
        }
        if self.sampler not in ("auto", "cd", "pcd", "pt"):
            raise ValueError(f"sampler must be 'auto', 'cd', 'pcd' or 'pt', got {self.sampler!r}")
        sampler = self.sampler
        if sampler == "auto":
            sampler = "pcd" if self.persistent else "cd"
        settings["sampler"] = sampler
        if self.kernel not in ("auto", "fused", "blas"):
            raise ValueError(f"kernel must be 'auto', 'fused' or 'blas', got {self.kernel!r}")
        if self.centered not in (True, False):
            raise TypeError(f"centered must be True or False, got {self.centered!r}")
        if self.centered and sampler == "pt":
            raise ValueError("centered=True works with CD and PCD, not with sampler='pt'")
        settings["centered"] = bool(self.centered)
        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
            raise TypeError(f"n_jobs must be None, a positive int or -1, got {self.n_jobs!r}")
        if n_jobs < 1 and n_jobs != -1:
            raise ValueError(f"n_jobs must be None, a positive int or -1, got {n_jobs}")
        settings["n_jobs"] = int(n_jobs)
        if self.verbose not in (True, False, "auto", 0, 1):
            raise ValueError(f"verbose must be True, False or 'auto', got {self.verbose!r}")
        return settings

    def _initialize(self, X, settings):
        generator = rng.as_generator(self.seed)
        n_visible, n_hidden = X.shape[1], settings["n_hidden"]
        self.n_features_in_ = n_visible
        self.W_ = generator.normal(0.0, 0.01, size=(n_visible, n_hidden))
        frequency = np.clip(X.mean(axis=0), 0.001, 0.999)
        self.visible_bias_ = np.log(frequency / (1.0 - frequency))
        self.hidden_bias_ = np.zeros(n_hidden)
        self._velocity = (np.zeros_like(self.W_), np.zeros(n_visible), np.zeros(n_hidden))
        # offsets of the centred update: the data's mean, and P(h | v) of the initial model
        # (sigmoid(0) = 1/2 up to the weights' 1e-2 scale); read only with centered=True
        self.visible_offset_ = X.mean(axis=0)
        self.hidden_offset_ = np.full(n_hidden, 0.5)
        self.persistent_chains_ = np.zeros((settings["batch_size"], n_hidden))
        if settings["sampler"] == "pt":
            n_temperatures = settings["n_temperatures"]
            self.betas_ = np.linspace(1.0, 0.0, n_temperatures)
            self._replicas = (
                np.zeros((n_temperatures, settings["batch_size"], n_visible)),
                np.zeros((n_temperatures, settings["batch_size"], n_hidden)),
            )
            self._swaps = np.zeros(n_temperatures - 1, dtype=np.int64)
            self._attempts = np.zeros(n_temperatures - 1, dtype=np.int64)
            self._n_updates = 0
            self.swap_rates_ = np.zeros(n_temperatures - 1)
        else:
            for name in ("betas_", "swap_rates_", "_replicas", "_swaps", "_attempts", "_n_updates"):
                self.__dict__.pop(name, None)
        self._generator = generator
        self._states = rng.stream_states(generator, settings["batch_size"])
        self.history_ = {"epoch": [], "reconstruction_error": [], "pseudo_log_likelihood": []}
        if min(n_visible, n_hidden) <= 16 and _is_binary(X):
            self.history_["log_likelihood"] = []
        self.n_epochs_trained_ = 0

    def fit(self, X, y=None):
        """Initialise the parameters and train for ``n_epochs`` epochs on X.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_visible), values in [0, 1]
        y : ignored (present for the Pipeline protocol)

        Returns
        -------
        self
        """
        settings = self._check_settings()
        X = _units("X", X)
        self._initialize(X, settings)
        progress = Progress(settings["n_epochs"], "RBM epoch", self.verbose)
        for _ in range(settings["n_epochs"]):
            self._epoch(X, settings)
            history = self.history_["pseudo_log_likelihood"] if self.monitor else []
            progress.update(f"pseudo-log-likelihood {history[-1]:.2f}" if history else "")
        progress.close()
        return self

    def partial_fit(self, X, y=None):
        """Train for one epoch on X (initialising the parameters on the first call).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_visible), values in [0, 1]
        y : ignored

        Returns
        -------
        self
        """
        settings = self._check_settings()
        if not hasattr(self, "W_"):
            X = _units("X", X)
            self._initialize(X, settings)
        else:
            X = _units("X", X, self.n_features_in_, "n_features_in_")
            if self._states.shape[0] != settings["batch_size"]:
                raise ValueError("batch_size cannot change between partial_fit calls; call fit to restart")
            if (settings["sampler"] == "pt") != hasattr(self, "_replicas") or (
                hasattr(self, "_replicas") and len(self.betas_) != settings["n_temperatures"]
            ):
                raise ValueError("sampler and n_temperatures cannot change between partial_fit calls")
        self._epoch(X, settings)
        return self

    def _epoch(self, X, settings):
        n_samples = X.shape[0]
        if self.shuffle:
            order = self._generator.permutation(n_samples).astype(np.int64)
        else:
            order = np.arange(n_samples, dtype=np.int64)
        batch_size, n_visible, n_hidden = settings["batch_size"], *self.W_.shape
        kernel = self.kernel
        if kernel == "auto":
            small = batch_size * n_visible * n_hidden <= _FUSED_LIMIT
            kernel = "fused" if small or np.count_nonzero(X) <= _SPARSE_LIMIT * X.size else "blas"
        arguments = (
            self.visible_bias_,
            self.hidden_bias_,
            *self._velocity,
            self.persistent_chains_,
            self._states,
            settings["learning_rate"],
            settings["momentum"],
            settings["weight_decay"],
            settings["k"],
            settings["sampler"] == "pcd",
            batch_size,
        )
        offsets = (settings["centered"], self.visible_offset_, self.hidden_offset_, _OFFSET_RATE)
        if settings["sampler"] == "pt":
            self._n_updates = _train_epoch_tempered(
                X,
                order,
                self.W_,
                *arguments[:5],
                *self._replicas,
                *arguments[6:11],
                batch_size,
                self.betas_,
                self._swaps,
                self._attempts,
                self._n_updates,
            )
            self.swap_rates_ = self._swaps / np.maximum(self._attempts, 1)
        elif kernel == "fused":
            WT = np.ascontiguousarray(self.W_.T)
            n_threads = numba.get_num_threads()
            n_parts = n_threads if settings["n_jobs"] == -1 else min(settings["n_jobs"], n_threads)
            if n_parts > 1:
                _train_epoch_threads(X, order, self.W_, WT, *arguments, *offsets, n_parts)
            else:
                _train_epoch_fused(X, order, self.W_, WT, *arguments, *offsets)
        else:
            _train_epoch_blas(X, order, self.W_, *arguments, *offsets)
        if not np.all(np.isfinite(self.W_)):
            raise FloatingPointError(
                "training diverged (weights are no longer finite): lower learning_rate or momentum"
            )
        self.n_epochs_trained_ += 1
        if self.monitor:
            rows = X if n_samples <= 1000 else X[np.linspace(0, n_samples - 1, 1000).astype(np.int64)]
            params = (self.W_, self.visible_bias_, self.hidden_bias_)
            self.history_["epoch"].append(self.n_epochs_trained_)
            self.history_["reconstruction_error"].append(reconstruction_error(rows, *params))
            self.history_["pseudo_log_likelihood"].append(pseudo_log_likelihood(rows, *params))
            if "log_likelihood" in self.history_:
                if _is_binary(rows):
                    self.history_["log_likelihood"].append(log_likelihood(rows, *params))
                else:  # grey levels have no likelihood: the record ends here
                    del self.history_["log_likelihood"]

    # using a trained model ---------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "W_"):
            raise ValueError("this RBM is not fitted yet: call fit or partial_fit first")
        return self.W_, self.visible_bias_, self.hidden_bias_

    def _check_X(self, name, X):
        self._check_fitted()
        _units(name, X, self.n_features_in_, "n_features_in_ (the number of features seen in fit)")

    def transform(self, X):
        """Hidden-unit probabilities P(h = 1 | v = X): the RBM's features of X.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_visible)

        Returns
        -------
        ndarray of shape (n_samples, n_hidden)
        """
        self._check_X("X", X)
        return hidden_probabilities(np.atleast_2d(X), self.W_, self.hidden_bias_)

    def fit_transform(self, X, y=None):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def energy(self, v, h):
        """E(v, h) = - v.b - h.c - v W h; see :func:`energy`."""
        return energy(v, h, *self._check_fitted())

    def free_energy(self, v):
        """F(v) = - v.b - sum_j softplus(c_j + (v W)_j); see :func:`free_energy`."""
        return free_energy(v, *self._check_fitted())

    def hidden_probabilities(self, v):
        """P(h = 1 | v); see :func:`hidden_probabilities`."""
        W, _, hidden_bias = self._check_fitted()
        return hidden_probabilities(v, W, hidden_bias)

    def visible_probabilities(self, h):
        """P(v = 1 | h); see :func:`visible_probabilities`."""
        W, visible_bias, _ = self._check_fitted()
        return visible_probabilities(h, W, visible_bias)

    def sample_hidden(self, v, seed=None):
        """h ~ P(h | v); see :func:`sample_hidden`."""
        W, _, hidden_bias = self._check_fitted()
        return sample_hidden(v, W, hidden_bias, seed=seed)

    def sample_visible(self, h, seed=None):
        """v ~ P(v | h); see :func:`sample_visible`."""
        W, visible_bias, _ = self._check_fitted()
        return sample_visible(h, W, visible_bias, seed=seed)

    def gibbs(self, v, k=1, seed=None):
        """k block Gibbs steps from each row of v; see :func:`gibbs`."""
        return gibbs(v, *self._check_fitted(), k=k, seed=seed)

    def reconstruct(self, v):
        """Mean-field reconstruction; see :func:`reconstruct`."""
        return reconstruct(v, *self._check_fitted())

    def sample(self, n_samples, n_steps=1000, seed=None, start=None):
        """Fantasy vectors from ``n_samples`` Gibbs chains of ``n_steps``; see :func:`sample`."""
        return sample(n_samples, *self._check_fitted(), n_steps=n_steps, seed=seed, start=start)

    def pseudo_log_likelihood(self, X):
        """Average pseudo-log-likelihood over every bit; see :func:`pseudo_log_likelihood`."""
        return pseudo_log_likelihood(X, *self._check_fitted())

    def score_samples(self, X):
        """Pseudo-log-likelihood of each row (deterministic, all bits).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        self._check_X("X", X)
        X = _units("X", X)
        return _pseudo_log_likelihood_rows(X, self.W_, self.visible_bias_, self.hidden_bias_)

    def score(self, X, y=None):
        """Average pseudo-log-likelihood of X (higher is better)."""
        return self.pseudo_log_likelihood(X)

    def reconstruction_error(self, X):
        """Average squared reconstruction error; see :func:`reconstruction_error`."""
        return reconstruction_error(X, *self._check_fitted())

    def log_partition_function(self):
        """Exact log Z (small RBMs); see :func:`log_partition_function`."""
        return log_partition_function(*self._check_fitted())

    def log_likelihood(self, X):
        """Exact average log p(x) (small RBMs); see :func:`log_likelihood`."""
        return log_likelihood(X, *self._check_fitted())


# --------------------------------------------------------------------------------------------
# Weight sharing
# --------------------------------------------------------------------------------------------


def _orbit_ids(name, ids, shape):
    """``ids`` as a flat int64 array of orbit labels 0..n-1 for parameters of ``shape``."""
    array = np.asarray(ids)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (one orbit label per parameter), got {array.shape}")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer orbit labels, got dtype {array.dtype}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must hold non-negative orbit labels, got {array.min()}")
    return array.astype(np.int64).ravel()


def _average_over_orbits(values, ids):
    """values[k] = the mean of ``values`` over the entries with the same label as k (in place)."""
    counts = np.bincount(ids)
    sums = np.bincount(ids, weights=values.ravel(), minlength=counts.size)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    values[...] = means[ids].reshape(values.shape)


def tie_parameters(model, weight_orbits, visible_orbits, hidden_orbits):
    """Make a fitted :class:`RBM` symmetric: average every parameter over its orbit, in place.

    A symmetry of the data (a lattice translation, a rotation, ...) permutes the visible units;
    an RBM has that symmetry when the same permutation, together with a permutation of the
    hidden units, maps its parameters onto themselves. Parameters that a group of such
    permutations maps onto each other form an *orbit*, and a symmetric RBM has one value per
    orbit: weight sharing, as in a convolutional RBM. This function replaces each weight, each
    visible bias and each hidden bias by the mean over its orbit, the orthogonal projection onto
    the symmetric RBMs; applied after every few minibatch steps it trains a weight-shared RBM
    with the ordinary :class:`RBM` (the projected gradient step is the gradient step of the
    shared parameters). The training state follows: the momentum velocities and, for
    ``centered=True``, the offsets are averaged over the same orbits.

    :func:`bmlib.datasets.lattice_orbits` gives the orbits of an RBM with one hidden unit per
    site of an L x L periodic lattice.

    Parameters
    ----------
    model : RBM
        Fitted (``fit`` or ``partial_fit`` has run).
    weight_orbits : array_like of int, shape (n_visible, n_hidden)
        Orbit label of each weight W_ij; weights with the same label become equal.
    visible_orbits : array_like of int, shape (n_visible,)
        Orbit label of each visible bias.
    hidden_orbits : array_like of int, shape (n_hidden,)
        Orbit label of each hidden bias.

    Returns
    -------
    model
        The same RBM, for chaining.
    """
    if not isinstance(model, RBM):
        raise TypeError(f"model must be a bmlib.rbm.RBM, got {type(model).__name__}")
    W, visible_bias, hidden_bias = model._check_fitted()
    n_visible, n_hidden = W.shape
    weights = _orbit_ids("weight_orbits", weight_orbits, (n_visible, n_hidden))
    visible = _orbit_ids("visible_orbits", visible_orbits, (n_visible,))
    hidden = _orbit_ids("hidden_orbits", hidden_orbits, (n_hidden,))
    velocity_W, velocity_visible, velocity_hidden = model._velocity
    for values, ids in (
        (W, weights),
        (velocity_W, weights),
        (visible_bias, visible),
        (velocity_visible, visible),
        (model.visible_offset_, visible),
        (hidden_bias, hidden),
        (velocity_hidden, hidden),
        (model.hidden_offset_, hidden),
    ):
        _average_over_orbits(values, ids)
    return model


def _same(a, b):
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):
        return False
