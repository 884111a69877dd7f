"""Exact log Z of an RBM, fast (private: the speed work).

Summing out the larger layer leaves a sum over the 2^n states of the smaller one:

    Z = sum_h exp(c.h) prod_i (1 + exp(b_i + (W h)_i)).

The kernels walk those states in Gray-code order (one row of W added or removed per state) in
chunks, or split the layer in two halves whose partial sums are tabulated. Every chunk's sum is
added in a fixed order, so the result has the same bits on any number of threads.
"""

import numpy as np
from numba import njit, prange

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


def exact_log_partition(W, bias_sum, bias_other):
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
